"""The bridge's HTTP API in-process: who may call it, what a poll hands out and in which order,
acknowledgements, printer status, and the scoping of jobs to the bridge and its store."""

import base64

import pytest
from django.test import Client

from apps.bridge import rendering, services
from apps.bridge.models import JobStatus, Printer, PrintJob
from apps.stores import services as store_services
from tests.factories import DeviceFactory, device_client

from .factories import BridgeDeviceFactory, PrinterFactory, PrintJobFactory
from .fakes import decode

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_wait(settings):
    settings.BRIDGE_LONG_POLL_SECONDS = 0


def _api(device) -> dict:
    return {"HTTP_AUTHORIZATION": f"Device {device.raw_token}"}


def _poll(client, device, **body):
    return client.post("/api/bridge/poll", {"wait": 0, **body}, content_type="application/json", **_api(device))


def test_poll_without_a_token_is_401_with_the_json_error(client):
    answer = client.post("/api/bridge/poll", {}, content_type="application/json")
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "DEVICE_UNAUTHORIZED"


def test_a_pos_token_is_403(client, pos_device):
    assert _poll(client, pos_device).status_code == 403


def test_a_bridge_cookie_without_the_header_is_refused(client, bridge_device):
    # a browser holding a bridge's cookie cannot act as the bridge (no cross-site acknowledgements)
    device_client(client, bridge_device)
    answer = client.post("/api/bridge/poll", {"wait": 0}, content_type="application/json")
    assert answer.status_code == 401


def test_a_revoked_bridge_is_401(client, bridge_device, receipt_printer):
    PrintJobFactory(store=bridge_device.store, printer=receipt_printer)
    store_services.device_revoke(bridge_device)
    assert _poll(client, bridge_device).status_code == 401
    assert PrintJob.objects.get().status == JobStatus.QUEUED


def test_poll_hands_out_jobs_in_order_once_and_again_after_a_lost_ack(client, bridge_device, receipt_printer):
    # given three queued jobs
    jobs = [PrintJobFactory(store=bridge_device.store, printer=receipt_printer) for _ in range(3)]
    # when the bridge polls
    first = _poll(client, bridge_device).json()
    # then it gets them in order, rendered, with the printer's address
    assert [job["id"] for job in first["printJobs"]] == [job.pk for job in jobs]
    assert first["printJobs"][0]["printer"] == {
        "id": receipt_printer.pk,
        "transport": "NETWORK",
        "address": receipt_printer.address,
    }
    assert "DRAWER" in decode(base64.b64decode(first["printJobs"][0]["data"])).commands
    # and when it acknowledges two and polls again, the third (its ack lost) comes again
    for job in jobs[:2]:
        answer = client.post(
            f"/api/bridge/print-jobs/{job.pk}/ack", {"ok": True}, content_type="application/json", **_api(bridge_device)
        )
        assert answer.json()["status"] == JobStatus.DONE
    second = _poll(client, bridge_device).json()
    assert [job["id"] for job in second["printJobs"]] == [jobs[2].pk]
    assert second["printJobs"][0]["attempt"] == 2


def test_ack_is_idempotent(client, bridge_device, receipt_printer):
    job = PrintJobFactory(store=bridge_device.store, printer=receipt_printer)
    _poll(client, bridge_device)
    for _ in range(2):
        answer = client.post(
            f"/api/bridge/print-jobs/{job.pk}/ack", {"ok": True}, content_type="application/json", **_api(bridge_device)
        )
        assert answer.status_code == 200 and answer.json()["status"] == JobStatus.DONE


def test_another_bridge_of_the_same_store_cannot_ack_or_get_its_jobs(client, store, bridge_device, receipt_printer):
    other = BridgeDeviceFactory(store=store)
    job = PrintJobFactory(store=store, printer=receipt_printer)
    assert _poll(client, other).json()["printJobs"] == []
    answer = client.post(
        f"/api/bridge/print-jobs/{job.pk}/ack", {"ok": True}, content_type="application/json", **_api(other)
    )
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "JOB_NOT_FOUND"


def test_a_printer_out_of_paper_holds_its_jobs_until_it_is_back(client, bridge_device, receipt_printer):
    job = PrintJobFactory(store=bridge_device.store, printer=receipt_printer)
    held = _poll(client, bridge_device, printers=[{"id": receipt_printer.pk, "status": "PAPER_OUT"}]).json()
    assert held["printJobs"] == []
    assert Printer.objects.get(pk=receipt_printer.pk).status == Printer.Status.PAPER_OUT
    back = _poll(client, bridge_device, printers=[{"id": receipt_printer.pk, "status": "OK"}]).json()
    assert [j["id"] for j in back["printJobs"]] == [job.pk]


def test_a_status_for_another_bridges_printer_is_ignored(client, store, bridge_device):
    foreign = PrinterFactory(store=store)  # its own bridge
    _poll(client, bridge_device, printers=[{"id": foreign.pk, "status": "PAPER_OUT"}])
    assert Printer.objects.get(pk=foreign.pk).status == Printer.Status.UNKNOWN


def test_a_job_never_acknowledged_fails_after_its_attempts(client, settings, bridge_device, receipt_printer):
    settings.BRIDGE_PRINT_MAX_ATTEMPTS = 2
    job = PrintJobFactory(store=bridge_device.store, printer=receipt_printer)
    for _ in range(3):
        _poll(client, bridge_device)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == "NO_ACK" and job.attempts == 2


def test_config_lists_only_this_bridges_printers(client, store, bridge_device, receipt_printer):
    PrinterFactory(store=store)
    answer = client.get("/api/bridge/config", **_api(bridge_device)).json()
    assert [p["id"] for p in answer["printers"]] == [receipt_printer.pk]
    assert answer["storeId"] == store.pk


def test_pairing_a_bridge_by_api_returns_its_kind(client, store):
    device = DeviceFactory(store=store, kind="BRIDGE", paired=False)
    code = store_services.device_issue_pairing_code(device)
    answer = Client().post("/api/devices/pair", {"code": code}, content_type="application/json")
    assert answer.status_code == 201 and answer.json()["kind"] == "BRIDGE"


def test_drawer_job_renders_only_the_kick(store, manager, receipt_printer):
    job = services.drawer_open(store, approver=manager)
    printed = decode(rendering.render_job(job))
    assert printed.commands == ["INIT", "KOREA", "DOUBLE_BYTE_ON", "DRAWER"] and printed.lines == []
