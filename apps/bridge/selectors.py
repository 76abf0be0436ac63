"""Reads for the store bridge: printers, terminals and jobs, always through the store or the bridge."""

from __future__ import annotations

import secrets

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet

from apps.stores.models import Device, Store

from .conf import setting
from .models import JobStatus, Printer, PrintJob, Terminal, TerminalJob

LAST_POLL_KEY = "bridge:last-poll:{device_id}"


def bridges_for_store(store: Store | int) -> QuerySet[Device]:
    store_id = getattr(store, "pk", store)
    return Device.objects.filter(store_id=store_id, kind=Device.Kind.BRIDGE, revoked_at__isnull=True)


def printers_for_store(store: Store | int, *, role: str | None = None) -> QuerySet[Printer]:
    store_id = getattr(store, "pk", store)
    qs = Printer.objects.filter(
        store_id=store_id, is_active=True, bridge__revoked_at__isnull=True, bridge__kind=Device.Kind.BRIDGE
    )
    if role is not None:
        qs = qs.filter(role=role)
    return qs.order_by("id")


HAS_PRINTERS_KEY = "bridge:has-printers:{store_id}"
HAS_PRINTERS_SECONDS = 10 * 60


def store_has_printers(store_id: int) -> bool:
    """Whether the store has any active printer, from the cache: the hooks on every payment and
    kitchen ticket ask this first, so a store without a bridge pays no SQL for them. Printer saves
    and deletes clear it (receivers.py); a stale True only costs the real lookup."""
    key = HAS_PRINTERS_KEY.format(store_id=store_id)
    found = cache.get(key)
    if found is None:
        found = Printer.objects.filter(store_id=store_id, is_active=True).exists()
        cache.set(key, found, HAS_PRINTERS_SECONDS)
    return found


PRINTERS_VERSION_KEY = "bridge:printers:version:{store_id}"
HOOK_PRINTERS_KEY = "bridge:hook-printers:{store_id}"
HOOK_PRINTERS_SECONDS = 10 * 60  # short: bounds what a lost on-commit bump could leave cached


def printers_version_bump(store_id: int) -> None:
    # Now and again on commit (receivers.py, on every printer save and delete): a request reading
    # in between stores what it read under the old version, which nobody asks for again.
    key = PRINTERS_VERSION_KEY.format(store_id=store_id)
    cache.set(key, secrets.token_hex(8), None)
    transaction.on_commit(lambda: cache.set(key, secrets.token_hex(8), None))


def hook_printers(store_id: int) -> list[Printer]:
    """The store's printers a job can be queued on (`printers_for_store`), for the hooks on every
    payment and kitchen ticket: cached under the store's printer version and the devices
    generation (a bridge revoked or re-paired moves it), so a warm checkout reads no printer.
    For routing only (role, station, drawer): their status fields may be stale (polls update them
    without a save, and a job waits for a printer that is out of paper anyway)."""
    from apps.stores.services import DEVICES_GENERATION_KEY

    version_key = PRINTERS_VERSION_KEY.format(store_id=store_id)
    key = HOOK_PRINTERS_KEY.format(store_id=store_id)
    found = cache.get_many([version_key, DEVICES_GENERATION_KEY, key])
    version, generation, entry = found.get(version_key), found.get(DEVICES_GENERATION_KEY), found.get(key)
    if version is None:
        version = secrets.token_hex(8)
        if not cache.add(version_key, version, None):
            version = cache.get(version_key)
    if entry is not None and generation is not None and entry[:2] == (version, generation):
        return entry[2]
    printers = list(printers_for_store(store_id))
    if generation is not None:  # no generation yet: nothing to check a revocation against, read again
        cache.set(key, (version, generation, printers), HOOK_PRINTERS_SECONDS)
    return printers


def receipt_printer(store: Store | int, *, drawer: bool = False) -> Printer | None:
    qs = printers_for_store(store, role=Printer.Role.RECEIPT)
    if drawer:
        qs = qs.filter(has_drawer=True)
    return qs.first()


def kitchen_printers(store: Store | int, station_id: int) -> list[Printer]:
    return [
        printer
        for printer in printers_for_store(store, role=Printer.Role.KITCHEN)
        if printer.station_id in (None, station_id)
    ]


def terminals_for_store(store: Store | int) -> QuerySet[Terminal]:
    store_id = getattr(store, "pk", store)
    return Terminal.objects.filter(
        store_id=store_id, is_active=True, bridge__revoked_at__isnull=True, bridge__kind=Device.Kind.BRIDGE
    ).order_by("id")


def terminal_for_store(store: Store, terminal_id: int) -> Terminal | None:
    return terminals_for_store(store).filter(pk=terminal_id).first()


def print_jobs_for_bridge(bridge: Device) -> QuerySet[PrintJob]:
    # Both sides of the scope: the printer belongs to this bridge and the job to its store.
    return PrintJob.objects.filter(printer__bridge=bridge, store_id=bridge.store_id)


def terminal_jobs_for_bridge(bridge: Device) -> QuerySet[TerminalJob]:
    return TerminalJob.objects.filter(terminal__bridge=bridge, store_id=bridge.store_id)


def terminal_job_for_store(store: Store, job_id: int) -> TerminalJob | None:
    return TerminalJob.objects.select_related("payment", "terminal").filter(store=store, pk=job_id).first()


def print_jobs_for_store(store: Store) -> QuerySet[PrintJob]:
    return PrintJob.objects.filter(store=store)


def last_poll(device_id: int) -> float | None:
    return cache.get(LAST_POLL_KEY.format(device_id=device_id))


def bridge_status(store: Store | int, *, now: float) -> dict:
    """What the POS banner shows: bridges that stopped polling and printers reporting trouble."""
    offline_after = setting("BRIDGE_OFFLINE_AFTER_SECONDS")
    bridges = list(bridges_for_store(store).filter(paired_at__isnull=False).order_by("id"))
    offline = []
    for bridge in bridges:
        seen = last_poll(bridge.pk)
        if seen is None or now - seen > offline_after:
            offline.append(bridge)
    offline_ids = {b.pk for b in offline}
    troubled = [
        printer
        for printer in printers_for_store(store)
        if printer.bridge_id not in offline_ids and printer.status in (Printer.Status.PAPER_OUT, Printer.Status.OFFLINE)
    ]
    waiting = PrintJob.objects.filter(
        store_id=getattr(store, "pk", store), status__in=[JobStatus.QUEUED, JobStatus.SENT]
    ).count()
    return {"has_bridge": bool(bridges), "offline": offline, "printers": troubled, "waiting": waiting}
