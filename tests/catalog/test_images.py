"""Product images: validation (format, size, pixels, bombs), thumbnails by the task, S3 via moto."""

import io
import struct
import zlib

import boto3
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.catalog import services
from apps.catalog.models import ImageStatus, Product
from apps.catalog.tasks import build_product_images
from apps.catalog.validators import MAX_IMAGE_BYTES, validate_product_image
from apps.core.errors import DomainError
from tests.catalog.factories import ProductFactory, image_bytes

pytestmark = pytest.mark.django_db


def _upload(data: bytes, name: str = "photo.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _png_claiming(width: int, height: int) -> bytes:
    """A few hundred bytes of valid PNG that claims a width×height canvas (a decompression bomb)."""
    raw = zlib.compress(b"\x00" * 64)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_real_jpeg_png_webp_are_accepted(fmt):
    validate_product_image(_upload(image_bytes(fmt)))


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"%PDF-1.4 not an image at all", "이미지 파일이 아니거나"),
        (b"", "이미지 파일이 아니거나"),
        (image_bytes("PNG")[:40], "이미지 파일이 아니거나"),  # truncated
        (image_bytes("GIF"), "JPEG, PNG, WebP"),
        (image_bytes("BMP"), "JPEG, PNG, WebP"),
    ],
)
def test_non_images_and_other_formats_are_refused(data, needle):
    with pytest.raises(ValidationError) as excinfo:
        validate_product_image(_upload(data, name="cat.png"))
    assert needle in excinfo.value.messages[0]


def test_too_large_file_is_refused_before_decoding():
    data = image_bytes("JPEG") + b"\x00" * (MAX_IMAGE_BYTES + 1)
    with pytest.raises(ValidationError) as excinfo:
        validate_product_image(_upload(data, "big.jpg", "image/jpeg"))
    assert excinfo.value.code == "image_too_large"
    assert "10MB" in excinfo.value.messages[0]


@pytest.mark.parametrize(
    ("width", "height"),
    [(8000, 6000), (12_000, 12_000), (100_000, 100_000)],  # 48 MP, 144 MP (Pillow warns), 10 GP (Pillow errors)
)
def test_decompression_bombs_are_refused_with_a_clear_message(width, height):
    data = _png_claiming(width, height)
    assert len(data) < 1000
    with pytest.raises(ValidationError) as excinfo:
        validate_product_image(_upload(data, "bomb.png"))
    assert excinfo.value.code in {"image_too_many_pixels", "image_bomb"}
    assert "압축 폭탄" in excinfo.value.messages[0]


def test_service_turns_validation_into_a_422(owner):
    with pytest.raises(DomainError) as excinfo:
        services.product_create(owner, name="폭탄", base_price=1000, image=_upload(_png_claiming(9000, 9000)))
    assert (excinfo.value.code, excinfo.value.status) == ("INVALID_IMAGE", 422)
    assert not Product.objects.exists()


def test_task_makes_the_grid_thumbnail_and_the_kiosk_image(owner, django_capture_on_commit_callbacks):
    # given a product created with a 2000×1000 photo
    with django_capture_on_commit_callbacks(execute=True):
        product = services.product_create(
            owner, name="아메리카노", base_price=4500, image=_upload(image_bytes("JPEG", (2000, 1000)), "a.jpg")
        )
    # then (the task ran on commit) the thumbnail is a 320 square and the large image fits 1080
    product.refresh_from_db()
    assert product.image_status == ImageStatus.READY
    with product.thumbnail.open("rb") as fh, Image.open(fh) as thumb:
        assert (thumb.format, thumb.size) == ("WEBP", (320, 320))
    with product.image_large.open("rb") as fh, Image.open(fh) as large:
        assert large.size == (1080, 540)


def test_task_rerun_replaces_old_variants_and_marks_broken_files_failed(owner):
    product = ProductFactory(owner=owner)
    storage = product.image.storage
    product.image.name = storage.save(
        "products/original/x.png", io.BytesIO(image_bytes("PNG", (500, 500), mode="RGBA"))
    )
    product.save()
    assert build_product_images.delay(product.pk).get() == ImageStatus.READY
    product.refresh_from_db()
    first_thumb = product.thumbnail.name
    # the original is replaced on storage by something that is not an image
    storage.delete(product.image.name)
    storage.save(product.image.name, io.BytesIO(b"garbage"))
    assert build_product_images.delay(product.pk).get() == ImageStatus.FAILED
    product.refresh_from_db()
    assert product.image_status == ImageStatus.FAILED and product.image_error
    assert product.thumbnail.name == first_thumb  # the last good thumbnail stays
    assert build_product_images.delay(999_999).get() == ImageStatus.NONE


@pytest.fixture
def s3_storage(settings):
    """Django's default storage pointed at moto's S3 server on localhost (the wire, not a mock)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}
    client = boto3.client("s3", endpoint_url=endpoint, **credentials)
    client.create_bucket(Bucket="cloudpos-media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "cloudpos-media",
                "endpoint_url": endpoint,
                "access_key": "testing",
                "secret_key": "testing",
                "region_name": "us-east-1",
                "default_acl": None,
                "querystring_auth": True,
            },
        },
    }
    yield client, endpoint
    server.stop()


def test_images_go_to_s3_when_configured(owner, s3_storage, django_capture_on_commit_callbacks):
    client, endpoint = s3_storage
    # given S3 storage, when a product is created with an image
    with django_capture_on_commit_callbacks(execute=True):
        product = services.product_create(
            owner, name="크루아상", base_price=3800, image=_upload(image_bytes("PNG", (800, 600)), "c.png")
        )
    product.refresh_from_db()
    # then the original, the thumbnail and the large image are objects in the bucket
    keys = {obj["Key"] for obj in client.list_objects_v2(Bucket="cloudpos-media")["Contents"]}
    assert {product.image.name, product.thumbnail.name, product.image_large.name} <= keys
    assert product.image.name.startswith("products/original/")
    assert product.thumbnail.url.startswith(f"{endpoint}/cloudpos-media/products/thumb/")
    thumb = client.get_object(Bucket="cloudpos-media", Key=product.thumbnail.name)["Body"].read()
    assert Image.open(io.BytesIO(thumb)).size == (320, 320)
