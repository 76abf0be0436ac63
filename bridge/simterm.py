"""SIMULATED card terminal — no card is ever charged. A small TCP service that answers like a card
terminal, for development, the demo store and the tests: `python -m bridge.simterm --port 9200`.

Protocol (one request line, one answer line; UTF-8; fields separated by a TAB; lines end with LF):

    APPROVE <ref> <amount>    → APPROVED <ref> <amount> <approval no. (8 digits)> <card company>
                                         <installments> <masked card>
                              | DECLINED <ref> <code> <message>
                              | (no answer: the "silent" behaviour, to exercise timeouts)
    NETCANCEL <ref>           → CANCELED <ref>   (the charge of <ref> is reversed, or was already)
                              | NOTFOUND <ref>   (nothing was charged under <ref>)
    SCRIPT <behaviour>        → OK               (the next APPROVE: approve | decline | silent | slow:<seconds>)
    LEDGER                    → LEDGER <json>    (every reference: amount, state, approval no., APPROVE count)
    PING                      → PONG SIMULATED

A reference is charged at most once: a repeated APPROVE of an approved reference gets the same
answer again without a new charge; an APPROVE of a net-cancelled reference is declined. A "silent"
or "slow" approval charges even when nobody reads the answer — exactly the half-finished charge a
net-cancel (망취소) exists for.
"""

from __future__ import annotations

import argparse
import json
import logging
import socketserver
import threading
import time

logger = logging.getLogger("bridge.simterm")

CARD_COMPANY = "시뮬레이션카드"
MASKED_CARD = "9999-99**-****-0000"


class Ledger:
    def __init__(self, default: str = "approve", delay: float = 0.0):
        self.lock = threading.Lock()
        self.charges: dict[str, dict] = {}
        self.script: list[str] = []
        self.default = default
        self.delay = delay
        self.sequence = 0

    def next_behaviour(self) -> str:
        with self.lock:
            return self.script.pop(0) if self.script else self.default

    def approve(self, ref: str, amount: int) -> str:
        with self.lock:
            charge = self.charges.get(ref)
            if charge is not None:
                charge["approve_requests"] += 1
                if charge["state"] == "APPROVED":
                    return self._approved(ref, charge)
                return f"DECLINED\t{ref}\tREFERENCE_USED\t이미 처리된 거래입니다 (시뮬레이션)"
            self.sequence += 1
            self.charges[ref] = charge = {
                "amount": amount,
                "state": "APPROVED",
                "approval_number": f"{73000000 + self.sequence:08d}",
                "approve_requests": 1,
                "simulated": True,
            }
            return self._approved(ref, charge)

    def _approved(self, ref: str, charge: dict) -> str:
        return f"APPROVED\t{ref}\t{charge['amount']}\t{charge['approval_number']}\t{CARD_COMPANY}\t0\t{MASKED_CARD}"

    def decline(self, ref: str, amount: int) -> str:
        with self.lock:
            self.charges.setdefault(
                ref,
                {
                    "amount": amount,
                    "state": "DECLINED",
                    "approval_number": "",
                    "approve_requests": 0,
                    "simulated": True,
                },
            )["approve_requests"] += 1
        return f"DECLINED\t{ref}\tCARD_DECLINED\t카드 승인 거절 (시뮬레이션)"

    def net_cancel(self, ref: str) -> str:
        with self.lock:
            charge = self.charges.get(ref)
            if charge is None or charge["state"] == "DECLINED":
                # Remember it: a late APPROVE of this reference must not charge after the net-cancel.
                self.charges.setdefault(
                    ref, {"amount": 0, "state": "CANCELED_EMPTY", "approval_number": "", "approve_requests": 0}
                )
                return f"NOTFOUND\t{ref}"
            if charge["state"] == "APPROVED":
                charge["state"] = "CANCELED"
            return f"CANCELED\t{ref}"

    def snapshot(self) -> dict:
        with self.lock:
            return json.loads(json.dumps(self.charges))


class Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        ledger: Ledger = self.server.ledger
        raw = self.rfile.readline(4096)
        fields = raw.decode(errors="replace").rstrip("\r\n").split("\t")
        command = fields[0]
        if command == "APPROVE" and len(fields) == 3 and fields[2].isdigit():
            ref, amount = fields[1], int(fields[2])
            self.server.requests.append(("APPROVE", ref))
            behaviour = ledger.next_behaviour()
            if behaviour == "decline":
                return self._answer(ledger.decline(ref, amount))
            if behaviour.startswith("slow:"):
                time.sleep(float(behaviour.split(":", 1)[1]))
            elif ledger.delay:
                time.sleep(ledger.delay)
            answer = ledger.approve(ref, amount)  # charged, whether or not the answer is read
            if behaviour == "silent":
                logger.info("SIMULATED terminal: %s charged, answer withheld", ref)
                time.sleep(3600)  # hold the line open without an answer, like a stuck terminal
                return
            return self._answer(answer)
        if command == "NETCANCEL" and len(fields) == 2:
            self.server.requests.append(("NETCANCEL", fields[1]))
            return self._answer(ledger.net_cancel(fields[1]))
        if command == "SCRIPT" and len(fields) == 2:
            with ledger.lock:
                ledger.script.append(fields[1])
            return self._answer("OK")
        if command == "LEDGER":
            return self._answer("LEDGER\t" + json.dumps(ledger.snapshot(), ensure_ascii=False))
        if command == "PING":
            return self._answer("PONG\tSIMULATED")
        return self._answer("ERROR\tBAD_REQUEST")

    def _answer(self, line: str) -> None:
        try:
            self.wfile.write(line.encode() + b"\n")
        except OSError:
            logger.info("SIMULATED terminal: the answer %r was lost", line.split("\t")[0])


class SimulatedTerminal(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], *, mode: str = "approve", delay: float = 0.0):
        super().__init__(address, Handler)
        self.ledger = Ledger(mode, delay)
        self.requests: list[tuple[str, str]] = []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bridge.simterm", description="SIMULATED card terminal")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9200)
    parser.add_argument("--mode", default="approve", help="approve | decline | silent | slow:<seconds>")
    parser.add_argument("--delay", type=float, default=1.0, help="seconds the 'customer' takes to tap")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s SIMULATED-TERMINAL %(message)s")
    with SimulatedTerminal((args.host, args.port), mode=args.mode, delay=args.delay) as server:
        logger.info("SIMULATED card terminal (no real charges) on %s:%s", args.host, server.server_address[1])
        server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
