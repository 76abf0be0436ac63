"""The bridge and the server in separate processes: the server is pytest-django's live server, the
bridge `python -m bridge run` (and `pair`) as a subprocess, printers fake TCP servers on 127.0.0.1.

The offline threshold is shortened through settings (2 s instead of 30 s) and the bridge long-polls
for 1 s instead of 20 s, so the scenarios — a bridge process killed and started again, an
acknowledgement lost on the wire — run for real in seconds. Nothing else is faked."""

from __future__ import annotations

import json
import time

import pytest
import requests

from apps.bridge import selectors
from apps.bridge.models import JobStatus, Printer, PrintJob
from apps.payments import services as payment_services
from apps.stores import services as store_services
from tests.factories import DeviceFactory, StoreFactory, device_client
from tests.kitchen.factories import StationFactory
from tests.payments.factories import make_method, make_order

from .factories import PrinterFactory, PrintJobFactory
from .fakes import BridgeProcess, FakePrinter, LossyProxy, decode, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def unpaired_bridge(store):
    return DeviceFactory(store=store, kind="BRIDGE", name="카운터 PC", paired=False)


@pytest.fixture
def shop(store, unpaired_bridge, fake_printer, fake_kitchen_printer):
    StationFactory(store=store, name="주방", is_default=True)
    PrinterFactory(store=store, bridge=unpaired_bridge, name="카운터", address=fake_printer.address)
    PrinterFactory(
        store=store,
        bridge=unpaired_bridge,
        name="주방",
        role=Printer.Role.KITCHEN,
        has_drawer=False,
        address=fake_kitchen_printer.address,
    )
    return store


@pytest.fixture
def processes():
    started: list[BridgeProcess] = []
    yield started
    for process in started:
        process.kill()


def _paired(device, server: str, state_dir, processes, **kwargs) -> BridgeProcess:
    bridge = BridgeProcess(server, state_dir, **kwargs)
    result = bridge.pair(store_services.device_issue_pairing_code(device))
    assert result.returncode == 0, result.stdout + result.stderr
    processes.append(bridge)
    return bridge


def _sell(store, cash, lines=(("아메리카노", 4500, 2),)):
    order = make_order(store, lines=lines)
    payment_services.payment_create(order, cash, tendered=50000)
    return order


def test_pair_then_print_receipt_and_kitchen_ticket_in_korean(
    shop, unpaired_bridge, cash, fake_printer, fake_kitchen_printer, live_server, tmp_path, processes
):
    # given a bridge paired with a code through its command line, running
    bridge = _paired(unpaired_bridge, live_server.url, tmp_path / "bridge", processes).start()
    # when a cash sale is paid at the POS
    order = _sell(shop, cash, lines=(("아메리카노", 4500, 2), ("딸기 라떼", 5500, 1)))
    # then the receipt printer gets the receipt in Korean, with the drawer kick and a cut
    receipt = decode(fake_printer.wait_prints(1)[0])
    assert shop.name in receipt.text
    assert "영수증" in receipt.text and "아메리카노" in receipt.text and "딸기 라떼" in receipt.text
    assert any(line.startswith("합계") and line.endswith("14,500원") for line in receipt.bold)
    assert any(line.strip().startswith("거스름돈") and line.endswith("35,500원") for line in receipt.lines)
    assert receipt.qr and receipt.qr[0].startswith(live_server.url) and order.public_id in receipt.qr[0]
    assert "DRAWER" in receipt.commands and receipt.commands[-1] == "CUT"
    # and the kitchen printer the ticket in large type
    ticket = decode(fake_kitchen_printer.wait_prints(1)[0])
    assert f"#{order.order_number}" in ticket.large
    assert any(line.startswith("아메리카노") and line.endswith("x2") for line in ticket.large)
    assert any(line.startswith("딸기 라떼") and line.endswith("x1") for line in ticket.large)
    assert ticket.commands[-1] == "CUT" and "DRAWER" not in ticket.commands
    # and both jobs are acknowledged
    wait_for(lambda: PrintJob.objects.filter(status=JobStatus.DONE).count() == 2)
    assert bridge.process.poll() is None


def test_lost_acknowledgement_prints_once(
    shop, unpaired_bridge, cash, fake_printer, fake_kitchen_printer, live_server, tmp_path, processes
):
    # given a bridge whose first acknowledgement never reaches the server
    proxy = LossyProxy(live_server.url, drop=1, drop_before=True)
    try:
        bridge = _paired(unpaired_bridge, proxy.url, tmp_path / "bridge", processes).start()
        # when a sale prints its receipt and kitchen ticket, and one acknowledgement is lost
        _sell(shop, cash)
        wait_for(lambda: proxy.dropped)
        lost = PrintJob.objects.get(pk=int(proxy.dropped[0].split("/")[-2]))
        # then the server hands that job out again at the next poll; the bridge finds it in its
        # journal and acknowledges it without printing it again
        wait_for(lambda: PrintJob.objects.get(pk=lost.pk).status == JobStatus.DONE, timeout=30)
        lost.refresh_from_db()
        assert lost.attempts == 2
        assert bridge.journal().count(f"printed {lost.pk}") == 1
        time.sleep(1.5)
        assert len(fake_printer.prints) == 1 and len(fake_kitchen_printer.prints) == 1
        assert PrintJob.objects.exclude(status=JobStatus.DONE).count() == 0
    finally:
        proxy.stop()


def test_bridge_killed_between_printing_and_its_acknowledgement_prints_once_after_restart(
    shop, unpaired_bridge, cash, fake_printer, fake_kitchen_printer, live_server, tmp_path, processes
):
    # given a bridge whose first acknowledgement hangs on the wire
    proxy = LossyProxy(live_server.url, drop=1, drop_before=True, hold=True)
    try:
        bridge = _paired(unpaired_bridge, proxy.url, tmp_path / "bridge", processes).start()
        _sell(shop, cash)
        assert proxy.holding.wait(30)
        lost = PrintJob.objects.get(pk=int(proxy.dropped[0].split("/")[-2]))
        # when the bridge is killed right there: printed, journalled, never acknowledged
        bridge.kill()
        proxy.release.set()
        assert PrintJob.objects.get(pk=lost.pk).status == JobStatus.SENT
        # then, started again, it is handed the job again and acknowledges it without printing
        bridge.start()
        wait_for(lambda: PrintJob.objects.exclude(status=JobStatus.DONE).count() == 0, timeout=30)
        time.sleep(1.5)
        assert len(fake_printer.prints) == 1 and len(fake_kitchen_printer.prints) == 1
        assert PrintJob.objects.get(pk=lost.pk).attempts == 2
    finally:
        proxy.release.set()
        proxy.stop()


def test_bridge_offline_then_back_prints_queued_jobs_in_order(
    shop, unpaired_bridge, cash, fake_printer, live_server, tmp_path, processes, settings, client, pos_device
):
    settings.BRIDGE_OFFLINE_AFTER_SECONDS = 2
    bridge = _paired(unpaired_bridge, live_server.url, tmp_path / "bridge", processes).start()
    _sell(shop, cash)
    wait_for(lambda: PrintJob.objects.filter(status=JobStatus.DONE).count() == 2)
    # given the bridge process is gone (the shop PC lost power)
    bridge.kill()
    # when three sales are paid while it is away
    orders = [_sell(shop, cash, lines=((f"메뉴{n}", 1000 * n, 1),)) for n in (1, 2, 3)]
    time.sleep(2.5)
    # then the POS banner says the bridge is offline, with the jobs waiting
    banner = device_client(client, pos_device).get("/pos/bridge/status/").content.decode()
    assert 'data-testid="bridge-offline"' in banner and "대기 중인 인쇄 6건" in banner  # 3 receipts, 3 tickets
    # (a poll the dead process left open on the server may have handed some out: SENT, not printed)
    assert PrintJob.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.SENT]).count() == 6
    # and when it comes back, the receipts print in the order they were sold
    bridge.start()
    prints = fake_printer.wait_prints(4, timeout=30)
    numbers = [next(line for line in decode(data).lines if line.startswith("주문 번호")) for data in prints[1:]]
    assert [int(line.rsplit("#", 1)[1]) for line in numbers] == [o.order_number for o in orders]
    wait_for(lambda: 'data-testid="bridge-offline"' not in client.get("/pos/bridge/status/").content.decode())


def test_printer_paper_out_shows_on_the_pos(
    shop, unpaired_bridge, fake_printer, live_server, tmp_path, processes, client, pos_device
):
    _paired(unpaired_bridge, live_server.url, tmp_path / "bridge", processes).start()
    # given the receipt printer runs out of paper
    fake_printer.paper_out = True
    # then the bridge reports it with its poll and the POS banner shows it
    wait_for(lambda: Printer.objects.get(name="카운터").status == Printer.Status.PAPER_OUT, timeout=30)
    banner = device_client(client, pos_device).get("/pos/bridge/status/").content.decode()
    assert 'data-testid="bridge-printer-paper_out"' in banner and "용지 없음" in banner
    fake_printer.paper_out = False
    wait_for(lambda: Printer.objects.get(name="카운터").status == Printer.Status.OK, timeout=30)


def test_revoked_bridge_gets_nothing(shop, unpaired_bridge, cash, fake_printer, live_server, tmp_path, processes):
    bridge = _paired(unpaired_bridge, live_server.url, tmp_path / "bridge", processes).start()
    _sell(shop, cash)
    fake_printer.wait_prints(1)
    token = json.loads((tmp_path / "bridge" / "token.json").read_text())["token"]
    # given the owner revokes the bridge
    store_services.device_revoke(unpaired_bridge)
    # when a sale is paid (its printers are no longer used) and a job queued just before the
    # revocation is still waiting on its printer
    _sell(shop, cash)
    late = PrintJobFactory(store=shop, printer=Printer.objects.get(name="카운터"))
    # then the bridge is refused at its next poll and stops; nothing more is printed or handed out
    assert bridge.wait_exit(timeout=30) == 3
    assert len(fake_printer.prints) == 1
    late.refresh_from_db()
    assert late.status == JobStatus.QUEUED and late.attempts == 0
    assert PrintJob.objects.count() == 3
    answer = requests.post(
        f"{live_server.url}/api/bridge/poll", json={"wait": 0}, headers={"Authorization": f"Device {token}"}, timeout=10
    )
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "DEVICE_UNAUTHORIZED"


def test_another_stores_jobs_never_reach_it(
    shop, unpaired_bridge, cash, fake_printer, live_server, tmp_path, processes
):
    # given another store with its own bridge and printer
    other = StoreFactory()
    other_bridge = DeviceFactory(store=other, kind="BRIDGE", paired=False)
    other_printer_wire = FakePrinter().start()
    try:
        other_printer = PrinterFactory(store=other, bridge=other_bridge, address=other_printer_wire.address)
        bridge = _paired(unpaired_bridge, live_server.url, tmp_path / "bridge", processes).start()
        # when the other store queues a receipt, and this store one after it
        other_order = make_order(other)
        other_cash = make_method(other, "CASH")
        payment_services.payment_create(other_order, other_cash)
        _sell(shop, cash)
        # then only this store's receipt reaches this bridge; the other store's job stays queued
        fake_printer.wait_prints(1)
        time.sleep(2)
        assert len(fake_printer.prints) == 1
        assert other_printer_wire.prints == []
        other_job = PrintJob.objects.get(printer=other_printer)
        assert other_job.status == JobStatus.QUEUED and other_job.attempts == 0
        assert selectors.print_jobs_for_bridge(unpaired_bridge).filter(pk=other_job.pk).count() == 0
        token = json.loads((tmp_path / "bridge" / "token.json").read_text())["token"]
        answer = requests.post(
            f"{live_server.url}/api/bridge/print-jobs/{other_job.pk}/ack",
            json={"ok": True},
            headers={"Authorization": f"Device {token}"},
            timeout=10,
        )
        assert answer.status_code == 404
        assert bridge.process.poll() is None
    finally:
        other_printer_wire.stop()
