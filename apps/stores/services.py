"""Writes for stores, staff and devices: store creation, staff PINs, device pairing and revocation."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import DomainError

from .models import Device, Store, StoreMember


def _digest(purpose: str, value: str) -> str:
    # Keyed with SECRET_KEY so a leaked table alone does not reveal tokens, codes or PINs.
    key = f"cloudpos:{purpose}:{settings.SECRET_KEY}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


# --- stores -------------------------------------------------------------------------------------


def store_create(*, owner, **fields) -> Store:
    store = Store(owner=owner, **fields)
    store.full_clean()
    store.save()
    return store


# --- staff PINs ---------------------------------------------------------------------------------


def pin_digest(store: Store, pin: str) -> str:
    return _digest("pin", f"{store.pk}:{pin}")


def validate_pin_format(pin: str) -> None:
    if not (pin and pin.isdigit() and 4 <= len(pin) <= 6):
        raise DomainError("INVALID_PIN_FORMAT", _("PIN은 4~6자리 숫자여야 합니다."), status=422)


def member_set_pin(member: StoreMember, pin: str) -> None:
    validate_pin_format(pin)
    member.pin_digest = pin_digest(member.store, pin)
    try:
        with transaction.atomic():
            member.save(update_fields=["pin_digest", "updated_at"] if member.pk else None)
    except IntegrityError:
        raise DomainError("PIN_TAKEN", _("이 매장의 다른 직원이 이미 쓰는 PIN입니다."), status=409) from None


def member_create(*, store: Store, display_name: str, role: str, pin: str) -> StoreMember:
    member = StoreMember(store=store, display_name=display_name, role=role)
    member_set_pin(member, pin)
    return member


PIN_ATTEMPTS_PER_MINUTE = 10


def member_authenticate(store: Store, pin: str, *, throttle_key: str) -> StoreMember:
    """The active member with this PIN, or a DomainError. Attempts are throttled per device so a
    4-digit PIN cannot be guessed by trying them all."""
    if not _allow_attempt(f"pin:{throttle_key}", PIN_ATTEMPTS_PER_MINUTE):
        raise DomainError("TOO_MANY_ATTEMPTS", _("시도가 너무 많습니다. 1분 후에 다시 시도하세요."), status=429)
    if not (pin and pin.isdigit() and 4 <= len(pin) <= 6):
        raise DomainError("WRONG_PIN", _("PIN이 올바르지 않습니다."), status=403)
    member = StoreMember.objects.filter(store=store, pin_digest=pin_digest(store, pin)).first()
    if member is None:
        raise DomainError("WRONG_PIN", _("PIN이 올바르지 않습니다."), status=403)
    if not member.is_active:
        raise DomainError("MEMBER_INACTIVE", _("비활성화된 직원입니다. 점주에게 문의하세요."), status=403)
    return member


def _allow_attempt(key: str, limit: int, window_seconds: int = 60) -> bool:
    """Fixed-window counter in the cache (Redis): False once `limit` attempts were made."""
    cache_key = f"ratelimit:{key}"
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return count <= limit


# --- devices ------------------------------------------------------------------------------------


def device_issue_pairing_code(device: Device) -> str:
    """A fresh one-time 6-digit code for `device`, valid for PAIRING_CODE_TTL_SECONDS. Returned once;
    only its digest is stored. Issuing a code does not unpair a device that is in use."""
    for _attempt in range(20):
        code = f"{secrets.randbelow(1_000_000):06d}"
        digest = _digest("pairing", code)
        live_clash = Device.objects.filter(
            pairing_code_digest=digest, pairing_code_expires_at__gt=timezone.now()
        ).exclude(pk=device.pk)
        if not live_clash.exists():
            break
    device.pairing_code_digest = digest
    device.pairing_code_expires_at = timezone.now() + timedelta(seconds=settings.PAIRING_CODE_TTL_SECONDS)
    device.save(update_fields=["pairing_code_digest", "pairing_code_expires_at", "updated_at"])
    return code


def device_pair(code: str, *, client_address: str) -> tuple[Device, str]:
    """Exchange a pairing code for a device token. Returns (device, raw token); only the token's
    digest is stored. Attempts are rate-limited per client address."""
    if not _allow_attempt(f"pair:{client_address}", settings.PAIRING_RATE_LIMIT):
        raise DomainError("TOO_MANY_ATTEMPTS", _("연결 시도가 너무 많습니다. 1분 후에 다시 시도하세요."), status=429)
    code = (code or "").strip()
    # ASCII only: "²²²²²²".isdigit() is True
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        raise DomainError("INVALID_CODE", _("연결 코드는 6자리 숫자입니다."), status=422)
    digest = _digest("pairing", code)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        # The row lock makes the code single-use even when two terminals submit it at once.
        # A stale, expired code of another device may share the digest (codes are only kept unique
        # among live ones), so the live one wins.
        device = (
            Device.objects.select_for_update()
            .filter(pairing_code_digest=digest)
            .order_by(F("pairing_code_expires_at").desc(nulls_last=True), "-pk")
            .first()
        )
        if device is None:
            raise DomainError("INVALID_CODE", _("연결 코드가 올바르지 않거나 이미 사용되었습니다."), status=400)
        if device.pairing_code_expires_at is None or device.pairing_code_expires_at <= timezone.now():
            raise DomainError(
                "CODE_EXPIRED", _("연결 코드가 만료되었습니다. 관리자 화면에서 새 코드를 받으세요."), status=400
            )
        now = timezone.now()
        device.token_digest = _digest("device-token", token)
        device.pairing_code_digest = ""
        device.pairing_code_expires_at = None
        device.paired_at = now
        device.last_seen_at = now
        device.revoked_at = None
        device.save()
    return device, token


def device_for_token(token: str) -> Device | None:
    if not token:
        return None
    device = (
        Device.objects.select_related("store")
        .filter(token_digest=_digest("device-token", token), revoked_at__isnull=True)
        .first()
    )
    return device


# --- the device of a request, cached ------------------------------------------------------------
#
# Every terminal request resolved its device (and the device's store) with a query. Devices and
# stores change rarely, so the pair is cached in the Django cache (Redis) by token digest, next to
# one generation token that every save or delete of a Device or a Store changes (receivers.py,
# and device_revoke, which writes with update()). Both are read with one MGET; an entry made under
# another generation is read from the database again. A token that matches no device is never
# cached, so a newly paired device is found at once.

DEVICES_GENERATION_KEY = "stores:devices:generation"
DEVICE_CACHE_KEY = "stores:device:{digest}"
# Short: bounds what a lost on-commit bump (a process killed right after its commit) leaves cached.
DEVICE_CACHE_SECONDS = 10 * 60


def devices_generation_bump() -> None:
    # Now, and again on commit: a request between the two cannot keep the old row under the new
    # generation (the same reasoning as the menu version's double bump).
    cache.set(DEVICES_GENERATION_KEY, secrets.token_hex(8), None)
    transaction.on_commit(lambda: cache.set(DEVICES_GENERATION_KEY, secrets.token_hex(8), None))


def device_for_token_cached(token: str) -> Device | None:
    """`device_for_token` through the cache (see above)."""
    if not token:
        return None
    key = DEVICE_CACHE_KEY.format(digest=_digest("device-token", token))
    found = cache.get_many([DEVICES_GENERATION_KEY, key])
    generation = found.get(DEVICES_GENERATION_KEY)
    entry = found.get(key)
    if generation is None:
        generation = secrets.token_hex(8)
        if not cache.add(DEVICES_GENERATION_KEY, generation, None):
            generation = cache.get(DEVICES_GENERATION_KEY)
    elif entry is not None and entry[0] == generation:
        device = entry[1]
        device._cache_entry = (key, generation)
        return device
    device = device_for_token(token)
    if device is not None:
        cache.set(key, (generation, device), DEVICE_CACHE_SECONDS)
        device._cache_entry = (key, generation)
    return device


def device_touch(device: Device) -> None:
    """Record that the device was seen; written at most once a minute to keep requests cheap."""
    now = timezone.now()
    if device.last_seen_at is None or now - device.last_seen_at > timedelta(minutes=1):
        Device.objects.filter(pk=device.pk).update(last_seen_at=now)
        device.last_seen_at = now
        # A cached device carries the time it was last seen: store the new one with it, or every
        # request after the first minute would write it again.
        # Under the generation it was read with, never a newer one: a device changed since then
        # must not come back under the new generation.
        entry = getattr(device, "_cache_entry", None)
        if entry is not None:
            del device._cache_entry  # not pickled with it
            cache.set(entry[0], (entry[1], device), DEVICE_CACHE_SECONDS)
            device._cache_entry = entry


def device_revoke(device: Device) -> None:
    Device.objects.filter(pk=device.pk).update(
        revoked_at=timezone.now(), token_digest="", pairing_code_digest="", pairing_code_expires_at=None
    )
    devices_generation_bump()  # update() sends no signal: the revoked token must stop working now
    device.refresh_from_db()
