"""Sealing a cash-receipt identity number at rest: Fernet (AES-128-CBC + HMAC-SHA256) under a key
derived from SECRET_KEY. The number is needed again only to reissue a receipt for what is left
after a partial refund; screens, logs and the admin only ever see the masked form."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"cloudpos.payments.cash-receipt-identity:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def unseal(token: str) -> str:
    """The sealed value, or "" when there is none or SECRET_KEY changed since it was sealed."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""
