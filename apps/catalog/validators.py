"""Upload checks for product images: only real JPEG/PNG/WebP, at most 10 MB and 40 megapixels.

The dimensions are read from the header before any pixel is decoded, so a decompression bomb (a
tiny file that claims a huge canvas) is refused before it can take the server's memory.
"""

from __future__ import annotations

import warnings

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}


def validate_product_image(upload) -> None:
    """Raise ValidationError (code invalid_image / image_too_large / image_too_many_pixels /
    image_bomb) unless `upload` is an acceptable product image. Leaves the file at position 0."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if size > MAX_IMAGE_BYTES:
        raise ValidationError(
            _("이미지 파일이 너무 큽니다. 최대 10MB까지 올릴 수 있습니다 (현재 %(mb).1fMB).")
            % {"mb": size / 1024 / 1024},
            code="image_too_large",
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice that; treat the warning as the bomb it is.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image_format = image.format
                width, height = image.size
                if image_format not in ALLOWED_FORMATS:
                    raise ValidationError(
                        _("JPEG, PNG, WebP 이미지만 올릴 수 있습니다 (받은 형식: %(fmt)s).") % {"fmt": image_format},
                        code="invalid_image",
                    )
                if width * height > MAX_IMAGE_PIXELS:
                    raise ValidationError(
                        _(
                            "이미지 해상도가 너무 큽니다 (%(w)d×%(h)d). 최대 4천만 화소까지 올릴 수 있습니다. "
                            "압축 폭탄(decompression bomb) 이미지는 받지 않습니다."
                        )
                        % {"w": width, "h": height},
                        code="image_too_many_pixels",
                    )
                # Checks the structure (chunks, checksums) without decoding the pixels.
                image.verify()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("압축 폭탄(decompression bomb)으로 의심되는 이미지라 받을 수 없습니다."), code="image_bomb"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ValidationError(
            _("이미지 파일이 아니거나 손상된 파일입니다. JPEG, PNG, WebP 이미지를 올려 주세요."), code="invalid_image"
        ) from None
    finally:
        upload.seek(0)
