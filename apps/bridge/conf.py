"""The bridge's timings, read from settings (tests shorten them with override_settings) or the
environment. Defaults suit a shop: a 20 s long-poll, offline after 30 s without a poll."""

from __future__ import annotations

import os

from django.conf import settings

_DEFAULTS = {
    # How long one poll may wait for a job before answering with none.
    "BRIDGE_LONG_POLL_SECONDS": 20.0,
    # The POS shows "bridge offline" when no poll came for this long.
    "BRIDGE_OFFLINE_AFTER_SECONDS": 30.0,
    # A card approval not answered within this is given up: the payment goes UNKNOWN and a
    # net-cancel is queued. Longer than the bridge's own terminal timeout (60 s) plus a poll.
    "BRIDGE_TERMINAL_LEASE_SECONDS": 120.0,
    # A print job handed out this many times without an acknowledgement is FAILED (a printer that
    # keeps failing: the bridge retries a failed job at each poll).
    "BRIDGE_PRINT_MAX_ATTEMPTS": 5,
}


def setting(name: str) -> float:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, _DEFAULTS[name])
    return float(value)
