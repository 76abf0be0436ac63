"""Writes of the owner's catalog: products (with their image pipeline), categories, option groups.

Image files are written to storage (local disk or S3) outside any DB transaction: an upload is a
network call on S3, and a slow one must not hold row locks. The thumbnail (grid) and the large
image (kiosk) are made afterwards by a Celery task once the product row has committed.
"""

from __future__ import annotations

import hashlib
import io
import logging
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from apps.core.errors import Conflict, Invalid

from .models import Category, ImageStatus, OptionGroup, Product, ProductOptionGroup, TaxType
from .validators import validate_product_image
from .versions import catalog_version_bump

logger = logging.getLogger(__name__)

THUMBNAIL_SIZE = (320, 320)  # POS grid tile, cropped to a square
LARGE_SIZE = (1080, 1080)  # kiosk detail, fitted inside (aspect kept)
OUTPUT_FORMAT = "WEBP"
OUTPUT_QUALITY = 82


# --- validation helpers -----------------------------------------------------------------------


def _clean_text(value, field: str, *, max_length: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid("INVALID_FIELD", _("%(field)s 값은 문자열이어야 합니다.") % {"field": field})
    value = value.strip()
    if required and not value:
        raise Invalid("INVALID_FIELD", _("%(field)s 값은 필수입니다.") % {"field": field})
    if len(value) > max_length:
        raise Invalid("INVALID_FIELD", _("%(field)s 값은 %(n)d자 이하여야 합니다.") % {"field": field, "n": max_length})
    return value


def clean_won(value, field: str) -> int:
    """A non-negative whole won amount; floats, strings and booleans are refused, never rounded."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid("INVALID_FIELD", _("%(field)s 값은 0 이상의 정수(원)여야 합니다.") % {"field": field})
    if value < 0 or value > 100_000_000:
        raise Invalid("INVALID_FIELD", _("%(field)s 값은 0원 이상 1억 원 이하여야 합니다.") % {"field": field})
    return value


def _owned_ids(model, owner, ids: Iterable, field: str) -> list[int]:
    try:
        wanted = list(dict.fromkeys(int(i) for i in ids if not isinstance(i, bool)))
    except (TypeError, ValueError):
        raise Invalid("INVALID_FIELD", _("%(field)s 값은 번호 목록이어야 합니다.") % {"field": field}) from None
    found = set(model.objects.filter(owner=owner, pk__in=wanted).values_list("pk", flat=True))
    missing = [i for i in wanted if i not in found]
    if missing:
        raise Invalid(
            "INVALID_FIELD",
            _("%(field)s에 없는 번호가 있습니다: %(ids)s") % {"field": field, "ids": ", ".join(map(str, missing))},
        )
    return wanted


def image_check(upload) -> None:
    """validate_product_image as a DomainError (422 INVALID_IMAGE) for services and the API."""
    try:
        validate_product_image(upload)
    except ValidationError as err:
        raise Invalid("INVALID_IMAGE", " ".join(err.messages)) from None


# --- products ---------------------------------------------------------------------------------


def product_create(
    owner,
    *,
    name: str,
    base_price: int,
    name_en: str = "",
    description: str = "",
    tax_type: str = TaxType.TAXABLE,
    sku: str = "",
    barcode: str = "",
    category_ids: Iterable[int] = (),
    option_group_ids: Iterable[int] = (),
    image=None,
    is_active: bool = True,
) -> Product:
    """Create a product of `owner` (optionally with an image, whose thumbnails follow by task)."""
    name = _clean_text(name, "name", max_length=100, required=True)
    name_en = _clean_text(name_en, "nameEn", max_length=100)
    description = _clean_text(description, "description", max_length=2000)
    sku = _clean_text(sku, "sku", max_length=64)
    barcode = _clean_text(barcode, "barcode", max_length=64)
    base_price = clean_won(base_price, "price")
    if tax_type not in TaxType.values:
        raise Invalid("INVALID_FIELD", _("taxType 값은 TAXABLE 또는 TAX_FREE여야 합니다."))
    if not isinstance(is_active, bool):
        raise Invalid("INVALID_FIELD", _("isActive 값은 true/false여야 합니다."))
    category_ids = _owned_ids(Category, owner, category_ids, "categoryIds")
    option_group_ids = _owned_ids(OptionGroup, owner, option_group_ids, "optionGroupIds")
    _check_codes_free(owner, sku=sku, barcode=barcode)
    image_name = ""
    if image is not None:
        image_check(image)
        image_name = _store_original(image)

    try:
        with transaction.atomic():
            product = Product.objects.create(
                owner=owner,
                name=name,
                name_en=name_en,
                description=description,
                base_price=base_price,
                tax_type=tax_type,
                sku=sku,
                barcode=barcode,
                image=image_name,
                image_status=ImageStatus.PENDING if image_name else ImageStatus.NONE,
                is_active=is_active,
            )
            product.categories.set(category_ids)
            ProductOptionGroup.objects.bulk_create(
                ProductOptionGroup(product=product, group_id=group_id, sort_order=index)
                for index, group_id in enumerate(option_group_ids)
            )
            if image_name:
                product_images_schedule(product)
            catalog_version_bump(owner.pk)
    except IntegrityError:
        # Two requests racing for the same SKU/barcode: the constraint decides, the file goes.
        if image_name:
            Product._meta.get_field("image").storage.delete(image_name)
        raise Conflict("DUPLICATE_CODE", _("같은 SKU 또는 바코드의 상품이 이미 있습니다.")) from None
    except Exception:
        if image_name:
            Product._meta.get_field("image").storage.delete(image_name)
        raise
    return product


def _check_codes_free(owner, *, sku: str, barcode: str, exclude_pk: int | None = None) -> None:
    others = Product.objects.filter(owner=owner).exclude(pk=exclude_pk)
    if sku and others.filter(sku=sku).exists():
        raise Conflict("DUPLICATE_SKU", _("SKU '%(sku)s'인 상품이 이미 있습니다.") % {"sku": sku})
    if barcode and others.filter(barcode=barcode).exists():
        raise Conflict("DUPLICATE_BARCODE", _("바코드 '%(code)s'인 상품이 이미 있습니다.") % {"code": barcode})


def _store_original(upload) -> str:
    storage = Product._meta.get_field("image").storage
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}.get(_format_of(upload), "bin")
    # A random name, never the client's: S3 overwrites same-named objects, and names can leak data.
    upload.seek(0)
    return storage.save(f"products/original/{uuid.uuid4().hex}.{extension}", upload)


def _format_of(upload) -> str:
    upload.seek(0)
    with Image.open(upload) as image:
        image_format = image.format or ""
    upload.seek(0)
    return image_format


def product_image_replace(product: Product, upload) -> Product:
    """Swap a product's image; the old thumbnails stay until the new ones are made."""
    image_check(upload)
    name = _store_original(upload)
    with transaction.atomic():
        Product.objects.filter(pk=product.pk).update(image=name, image_status=ImageStatus.PENDING, image_error="")
        product.image.name = name
        product.image_status = ImageStatus.PENDING
        product_images_schedule(product)
        catalog_version_bump(product.owner_id)
    return product


def product_images_schedule(product: Product) -> None:
    """Queue the thumbnail task for after the commit (the worker must see the committed row)."""
    from .tasks import build_product_images

    product_id = product.pk
    transaction.on_commit(lambda: build_product_images.delay(product_id))


def _encode(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, OUTPUT_FORMAT, quality=OUTPUT_QUALITY, method=4)
    return buffer.getvalue()


def render_variants(data: bytes) -> tuple[bytes, bytes]:
    """(thumbnail, large) WebP bytes for the original image bytes."""
    with Image.open(io.BytesIO(data)) as opened:
        # JPEG can decode at a reduced scale directly: far less memory for a 40 MP photo.
        opened.draft("RGB", LARGE_SIZE)
        image = ImageOps.exif_transpose(opened)
        has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
        image = image.convert("RGBA" if has_alpha else "RGB")
    thumbnail = ImageOps.fit(image, THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
    large = image.copy()
    large.thumbnail(LARGE_SIZE, Image.Resampling.LANCZOS)
    return _encode(thumbnail), _encode(large)


def product_images_build(product_id: int) -> str:
    """Make the grid thumbnail and the kiosk image of a product's current original image.

    Returns the resulting image status. Safe to run twice or late: the result is written only if
    the product still has the image it was made from.
    """
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        return ImageStatus.NONE
    source_name = product.image.name
    if not source_name:
        Product.objects.filter(pk=product_id, image="").update(image_status=ImageStatus.NONE, image_error="")
        return ImageStatus.NONE
    storage = product.image.storage
    try:
        with storage.open(source_name, "rb") as handle:
            data = handle.read()
        # Storage may have been written by something other than our upload path: check again.
        validate_product_image(io.BytesIO(data))
        thumbnail_bytes, large_bytes = render_variants(data)
    except (ValidationError, OSError, ValueError, Image.DecompressionBombError) as err:
        message = " ".join(err.messages) if isinstance(err, ValidationError) else str(err)
        logger.warning("product %s image %s unusable: %s", product_id, source_name, message)
        Product.objects.filter(pk=product_id, image=source_name).update(
            image_status=ImageStatus.FAILED, image_error=message[:200]
        )
        catalog_version_bump(product.owner_id)
        return ImageStatus.FAILED

    digest = hashlib.sha1(data).hexdigest()[:12]
    thumb_name = storage.save(f"products/thumb/{product_id}-{digest}.webp", ContentFile(thumbnail_bytes))
    large_name = storage.save(f"products/large/{product_id}-{digest}.webp", ContentFile(large_bytes))
    old_names = {product.thumbnail.name, product.image_large.name} - {"", thumb_name, large_name}
    updated = Product.objects.filter(pk=product_id, image=source_name).update(
        thumbnail=thumb_name, image_large=large_name, image_status=ImageStatus.READY, image_error=""
    )
    if not updated:
        # The image was replaced while we worked; the newer task owns the result.
        for name in (thumb_name, large_name):
            storage.delete(name)
        return ImageStatus.PENDING
    for name in old_names:
        storage.delete(name)
    catalog_version_bump(product.owner_id)
    return ImageStatus.READY


def product_archive(product: Product) -> Product:
    Product.objects.filter(pk=product.pk).update(is_active=False)
    product.is_active = False
    catalog_version_bump(product.owner_id)
    return product


# --- option groups and categories -------------------------------------------------------------


def option_group_create(
    owner, *, name: str, min_choices: int = 0, max_choices: int = 1, required: bool = False, name_en: str = ""
) -> OptionGroup:
    if max_choices < 1 or max_choices < min_choices or min_choices < 0:
        raise Invalid("INVALID_OPTION_GROUP", _("최대 선택 수는 1 이상이고 최소 선택 수보다 작을 수 없습니다."))
    if required and max_choices < 1:
        raise Invalid("INVALID_OPTION_GROUP", _("필수 그룹은 적어도 하나를 고를 수 있어야 합니다."))
    group = OptionGroup.objects.create(
        owner=owner, name=name, name_en=name_en, min_choices=min_choices, max_choices=max_choices, required=required
    )
    catalog_version_bump(owner.pk)
    return group


def option_create(group: OptionGroup, *, name: str, price_delta: int = 0, name_en: str = "", sort_order: int = 0):
    if isinstance(price_delta, bool) or not isinstance(price_delta, int):
        raise Invalid("INVALID_FIELD", _("옵션 추가 금액은 정수(원)여야 합니다."))
    option = group.options.create(name=name, name_en=name_en, price_delta=price_delta, sort_order=sort_order)
    catalog_version_bump(group.owner_id)
    return option


def category_create(owner, *, name: str, name_en: str = "", sort_order: int = 0, parent=None) -> Category:
    if parent is not None and parent.owner_id != owner.pk:
        raise Invalid("INVALID_FIELD", _("상위 카테고리를 찾을 수 없습니다."))
    category = Category.objects.create(owner=owner, name=name, name_en=name_en, sort_order=sort_order, parent=parent)
    catalog_version_bump(owner.pk)
    return category
