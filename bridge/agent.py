"""The run loop: long-poll, print, drive the terminal, acknowledge — in the order the server gave.

Failures never lose or double a job: a print job is journalled before its acknowledgement, so a
lost acknowledgement only makes the server hand it out again, and the bridge then acknowledges it
without printing. A printer that fails keeps its job (and the ones after it) for the next poll,
so a printer that comes back prints in order. The server being away is waited out with backoff.
"""

from __future__ import annotations

import base64
import logging
import time

from . import printers, terminals
from .client import Client, Revoked, ServerError
from .state import Journal

logger = logging.getLogger("bridge")

STATUS_EVERY_SECONDS = 10.0
MAX_BACKOFF_SECONDS = 5.0
MIN_POLL_SECONDS = 1.0


class Agent:
    def __init__(
        self,
        client: Client,
        journal: Journal,
        *,
        wait: int = 20,
        terminal_timeout: float = 60.0,
        status_every: float = STATUS_EVERY_SECONDS,
    ):
        self.client = client
        self.status_every = status_every
        self.journal = journal
        self.wait = wait
        self.terminal_timeout = terminal_timeout
        self.printers: dict[int, dict] = {}
        self.statuses: dict[int, str] = {}
        self.status_checked_at = 0.0
        self.stopped = False

    # --- the loop -------------------------------------------------------------------------------

    def run(self, *, max_polls: int | None = None) -> int:
        """Poll until stopped. Returns 3 when the server refuses the token (revoked)."""
        backoff = 0.5
        polls = 0
        while not self.stopped and (max_polls is None or polls < max_polls):
            started = time.monotonic()
            try:
                self._refresh_config()
                busy = self.poll_once()
                backoff = 0.5
                if not busy and time.monotonic() - started < MIN_POLL_SECONDS:
                    # The server answered at once with nothing (its long-poll is turned off):
                    # do not hammer it.
                    time.sleep(MIN_POLL_SECONDS)
            except Revoked:
                logger.error("the server refused this bridge's token (revoked?): pair it again")
                return 3
            except ServerError as err:
                logger.warning("server unreachable (%s): retrying in %.1f s", err, backoff)
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            except Exception:
                # A refused acknowledgement, a malformed job: log it and go on polling. What was not
                # acknowledged comes back; an approval left unfinished is reported and net-cancelled.
                logger.exception("poll failed: retrying in %.1f s", backoff)
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            polls += 1
        return 0

    def _refresh_config(self) -> None:
        if self.status_checked_at and time.monotonic() - self.status_checked_at < self.status_every:
            return
        config = self.client.config()
        self.printers = {p["id"]: p for p in config.get("printers", [])}
        for printer_id, printer in self.printers.items():
            self.statuses[printer_id] = printers.status(printer["transport"], printer["address"])
        self.status_checked_at = time.monotonic()

    def poll_once(self) -> bool:
        """One poll and its jobs; True when there were jobs."""
        interrupted = self.journal.interrupted()
        reported = [{"id": pid, "status": status} for pid, status in self.statuses.items()]
        answer = self.client.poll(wait=self.wait, printers=reported, interrupted=interrupted)
        for job_id in interrupted:
            # The server has them now: it net-cancels each one; never send them to the terminal again.
            self.journal.record("terminal-finished", job_id)
        for job in answer.get("terminalJobs", []):
            self.run_terminal_job(job)
        failed_printers: set[int] = set()
        for job in answer.get("printJobs", []):
            printer_id = job["printer"]["id"]
            if printer_id in failed_printers:
                continue  # keep the order: the jobs after a failed one wait for the next round
            if not self.run_print_job(job):
                failed_printers.add(printer_id)
        return bool(answer.get("terminalJobs") or answer.get("printJobs"))

    # --- printing -------------------------------------------------------------------------------

    def run_print_job(self, job: dict) -> bool:
        job_id = job["id"]
        if job_id not in self.journal.printed:
            printer = job["printer"]
            try:
                printers.send(printer["transport"], printer["address"], base64.b64decode(job["data"]))
            except printers.PrinterError as err:
                logger.warning("print job %s on printer %s failed: %s", job_id, printer["id"], err)
                self.statuses[printer["id"]] = printers.OFFLINE
                return False
            self.journal.record("printed", job_id)
            self.statuses[printer["id"]] = printers.OK
        else:
            logger.info("print job %s already printed: acknowledging again", job_id)
        self.client.ack_print(job_id, ok=True)
        self.journal.record("acked", job_id)
        return True

    # --- the card terminal ----------------------------------------------------------------------

    def run_terminal_job(self, job: dict) -> None:
        job_id = job["id"]
        terminal = job["terminal"]
        if job["kind"] == "APPROVE" and job_id in self.journal.started:
            return  # already sent to the terminal once: never again (the server net-cancels it)
        driver = terminals.driver_for(terminal["driver"], terminal["address"])
        if job["kind"] == "APPROVE":
            self.journal.record("terminal-started", job_id)
            result = self._approve(driver, job)
        else:
            result = self._net_cancel(driver, job)
        self._send_result(job_id, result)
        if job["kind"] == "APPROVE":
            self.journal.record("terminal-finished", job_id)

    def _send_result(self, job_id: int, result: dict, *, tries: int = 5) -> None:
        # The card may be charged: try hard to tell the server before giving up (an approval whose
        # answer never arrives is net-cancelled, and the customer has to pay again).
        for attempt in range(tries):
            try:
                self.client.terminal_result(job_id, result)
                return
            except ServerError:
                if attempt == tries - 1:
                    raise
                time.sleep(min(2**attempt * 0.5, MAX_BACKOFF_SECONDS))

    def _approve(self, driver, job: dict) -> dict:
        reference, amount = job["reference"], job["amount"]
        try:
            answer = driver.approve(reference, amount, timeout=self.terminal_timeout)
        except terminals.TerminalUnreachable as err:
            return {"outcome": "UNREACHABLE", "message": str(err)[:200]}
        except terminals.TerminalTimeout:
            logger.warning("terminal timed out on %s: sending a net-cancel", reference)
            try:
                net_cancel = driver.net_cancel(reference, timeout=self.terminal_timeout)
            except (terminals.TerminalTimeout, terminals.TerminalUnreachable):
                net_cancel = "FAILED"
            return {"outcome": "TIMEOUT", "netCancel": net_cancel}
        if isinstance(answer, terminals.Decline):
            return {"outcome": "DECLINED", "code": answer.code[:100], "message": answer.message[:200]}
        return {
            "outcome": "APPROVED",
            "amount": answer.amount,
            "approvalNumber": answer.approval_number,
            "cardCompany": answer.card_company,
            "installments": answer.installments,
            "cardNumber": answer.card_number,
        }

    def _net_cancel(self, driver, job: dict) -> dict:
        try:
            return {"outcome": driver.net_cancel(job["reference"], timeout=self.terminal_timeout)}
        except terminals.TerminalUnreachable:
            return {"outcome": "UNREACHABLE"}
        except terminals.TerminalTimeout:
            return {"outcome": "TIMEOUT"}
