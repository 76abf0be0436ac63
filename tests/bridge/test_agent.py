"""The bridge agent's own rules, with a stub in place of the server (no Django in the agent):
its journal, printing once, never sending an approval twice, and what it does on errors."""

import base64

import pytest

from bridge import printers
from bridge.agent import Agent
from bridge.client import Revoked
from bridge.state import Journal, load_token, save_token

from .fakes import FakePrinter, decode


class StubClient:
    def __init__(self, answers):
        self.answers = list(answers)
        self.polls: list[dict] = []
        self.acks: list[int] = []
        self.results: list[tuple[int, dict]] = []

    def config(self):
        return {"printers": []}

    def poll(self, *, wait, printers, interrupted):
        self.polls.append({"interrupted": interrupted})
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def ack_print(self, job_id, *, ok, error=""):
        self.acks.append(job_id)
        return {}

    def terminal_result(self, job_id, result):
        self.results.append((job_id, result))
        return {}


def _print_job(job_id: int, printer: FakePrinter) -> dict:
    data = b"\x1b@\x1bR\x0d\x1c&" + "안녕하세요".encode("cp949") + b"\n\x1dV\x00"
    return {
        "id": job_id,
        "kind": "RECEIPT",
        "printer": {"id": 1, "transport": "NETWORK", "address": printer.address},
        "data": base64.b64encode(data).decode(),
    }


@pytest.fixture
def printer():
    fake = FakePrinter().start()
    yield fake
    fake.stop()


def test_token_file_is_private(tmp_path):
    path = save_token(tmp_path, server="https://pos.example.com", token="secret", store_id=7)
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_token(tmp_path) == {"server": "https://pos.example.com", "token": "secret", "storeId": 7}


def test_journal_survives_a_torn_last_line(tmp_path):
    (tmp_path / "journal.log").write_text("printed 4\nterminal-started 9\nprinted 1")  # cut mid-write
    journal = Journal(tmp_path)
    assert journal.printed == {4, 1} and journal.interrupted() == [9]
    (tmp_path / "journal.log").write_text("printed 4\nprin")
    assert Journal(tmp_path).printed == {4}


def test_a_job_in_the_journal_is_acknowledged_without_printing(tmp_path, printer):
    journal = Journal(tmp_path)
    client = StubClient([{"printJobs": [_print_job(5, printer)]}, {"printJobs": [_print_job(5, printer)]}])
    agent = Agent(client, journal, wait=0)
    agent.poll_once()
    agent.poll_once()  # handed out again: its first acknowledgement was lost
    assert len(printer.wait_prints(1)) == 1 and decode(printer.prints[0]).lines == ["안녕하세요"]
    assert client.acks == [5, 5]
    # and after a restart the journal still knows it
    assert 5 in Journal(tmp_path).printed


def test_a_failed_printer_keeps_the_order_of_its_jobs(tmp_path, printer):
    address = printer.address
    printer.stop()  # offline
    dead = {"id": 1, "kind": "RECEIPT", "printer": {"id": 1, "transport": "NETWORK", "address": address}}
    jobs = [{**dead, "id": n, "data": base64.b64encode(b"x").decode()} for n in (1, 2)]
    client = StubClient([{"printJobs": jobs}])
    agent = Agent(client, Journal(tmp_path), wait=0)
    agent.poll_once()
    assert client.acks == [] and agent.statuses[1] == printers.OFFLINE


def test_an_approval_is_never_sent_twice(tmp_path):
    journal = Journal(tmp_path)
    journal.record("terminal-started", 3)  # sent to the terminal before a crash
    approve = {"id": 3, "kind": "APPROVE", "reference": "T3", "amount": 1000}
    approve["terminal"] = {"id": 1, "driver": "SIMULATED", "address": "127.0.0.1:1"}
    client = StubClient([{"terminalJobs": [approve]}])
    agent = Agent(client, journal, wait=0)
    agent.poll_once()
    # reported as interrupted with the poll, and the approval that came back is not run again
    assert client.polls[0]["interrupted"] == [3] and client.results == []
    assert Journal(tmp_path).interrupted() == []


def test_an_unreachable_terminal_is_reported_as_nothing_charged(tmp_path):
    approve = {"id": 4, "kind": "APPROVE", "reference": "T4", "amount": 1000}
    approve["terminal"] = {"id": 1, "driver": "SIMULATED", "address": "127.0.0.1:1"}  # nothing listens
    client = StubClient([{"terminalJobs": [approve]}])
    Agent(client, Journal(tmp_path), wait=0).poll_once()
    assert client.results[0][1]["outcome"] == "UNREACHABLE"


def test_revoked_stops_the_agent_and_errors_do_not(tmp_path):
    client = StubClient([ValueError("404 JOB_NOT_FOUND"), Revoked("401")])
    assert Agent(client, Journal(tmp_path), wait=0).run() == 3
    assert len(client.polls) == 2
