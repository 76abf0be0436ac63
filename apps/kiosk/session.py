"""What a kiosk remembers between screens, kept in the device's Django session: the current
customer's cart id and the accessibility modes they switched on. Both are forgotten when the
customer finishes or walks away, so the next customer starts clean."""

from __future__ import annotations

from django.conf import settings

CART_KEY = "kiosk_cart_id"
MODES_KEY = "kiosk_modes"
STAFF_CALL_KEY = "kiosk_staff_call"

# large text, high contrast, low-reach layout (every control in the lower part of the screen),
# voice guidance (the browser's speech synthesis reads the screen; static/js/kiosk.js)
MODES = ("large", "contrast", "lowreach", "voice")


def cart_id(request) -> str | None:
    return request.session.get(CART_KEY)


def set_cart_id(request, value: str) -> None:
    request.session[CART_KEY] = value


def forget_cart(request) -> None:
    request.session.pop(CART_KEY, None)


def modes(request) -> list[str]:
    return [m for m in request.session.get(MODES_KEY, []) if m in MODES]


def toggle_mode(request, mode: str) -> bool:
    """Switch `mode` on or off; returns whether it is now on."""
    current = modes(request)
    if mode in current:
        current.remove(mode)
    else:
        current.append(mode)
    request.session[MODES_KEY] = current
    return mode in current


def staff_call(request) -> dict | None:
    """The staff call this kiosk raised and has not yet seen answered: {"id", "created_at"}."""
    value = request.session.get(STAFF_CALL_KEY)
    return value if isinstance(value, dict) and value.get("id") else None


def set_staff_call(request, call: dict) -> None:
    request.session[STAFF_CALL_KEY] = {"id": call["id"], "created_at": call["created_at"]}


def forget_staff_call(request) -> None:
    request.session.pop(STAFF_CALL_KEY, None)


def forget_everything(request) -> None:
    forget_cart(request)
    request.session.pop(MODES_KEY, None)


def timings() -> dict[str, int]:
    """Seconds for the idle prompt, its grace period, the finished screen and the menu poll.
    Settings so a deployment (and the browser tests) can change them without code."""
    return {
        "idle": settings.KIOSK_IDLE_SECONDS,
        "grace": settings.KIOSK_IDLE_GRACE_SECONDS,
        "done_return": settings.KIOSK_DONE_RETURN_SECONDS,
        "menu_poll_ms": settings.KIOSK_MENU_POLL_MS,
        "status_poll_ms": settings.KIOSK_STATUS_POLL_MS,
        # An answered staff call is noticed as soon as a sold-out item is: one setting for both.
        "staff_call_poll_ms": settings.KIOSK_MENU_POLL_MS,
    }
