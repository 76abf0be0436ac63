"""Inbound `Idempotency-Key` for the POST endpoints: the same key with the same body gets the first
response again; the same key with another body is a 422; a request still running is a 409."""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.api import error_response, json_response
from apps.core.parsers import is_clean_text

from .models import IdempotencyRecord

# A record left "running" by a crashed process stops blocking its key after this long.
STALE_AFTER = timedelta(minutes=5)


def _scope(request) -> str:
    device = getattr(request, "device", None)
    if device:
        return f"device:{device.pk}"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "anonymous"


def idempotent(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return view(request, *args, **kwargs)
        if len(key) > 200:
            return error_response("INVALID_IDEMPOTENCY_KEY", _("Idempotency-Key가 너무 깁니다."), 400)
        if not is_clean_text(key):  # stored in a text column: PostgreSQL refuses NUL
            return error_response(
                "INVALID_IDEMPOTENCY_KEY", _("Idempotency-Key에 사용할 수 없는 문자가 있습니다."), 400
            )
        scope = _scope(request)
        digest = hashlib.sha256(f"{request.method} {request.path}\n".encode() + request.body).hexdigest()
        record = _claim(scope, key, digest)
        if not isinstance(record, IdempotencyRecord):
            return record
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            record.delete()
            raise
        if response.status_code >= 500 or "json" not in response.get("Content-Type", ""):
            record.delete()  # not an answer worth replaying: let the client retry for real
            return response
        record.response_status = response.status_code
        record.response_body = json.loads(response.content or b"null")
        record.completed_at = timezone.now()
        record.save(update_fields=["response_status", "response_body", "completed_at"])
        return response

    return wrapper


def _claim(scope: str, key: str, digest: str):
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(scope=scope, key=key, request_hash=digest)
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
            if existing is None:
                continue
            if existing.request_hash != digest:
                return error_response(
                    "IDEMPOTENCY_KEY_REUSED", _("같은 Idempotency-Key로 다른 요청을 보냈습니다."), 422
                )
            if existing.completed_at is not None:
                response = json_response(existing.response_body, existing.response_status)
                response["Idempotent-Replayed"] = "true"
                return response
            if timezone.now() - existing.created_at > STALE_AFTER:
                IdempotencyRecord.objects.filter(pk=existing.pk, completed_at__isnull=True).delete()
                continue
            return error_response(
                "IDEMPOTENCY_IN_PROGRESS", _("같은 요청을 처리하고 있습니다. 잠시 후 다시 시도하세요."), 409
            )
    return error_response("IDEMPOTENCY_IN_PROGRESS", _("같은 요청을 처리하고 있습니다."), 409)
