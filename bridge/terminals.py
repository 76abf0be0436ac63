"""Card terminal drivers. A driver speaks one terminal's protocol and answers in the bridge's terms:

    approve(reference, amount, timeout) -> Approval | Decline   (TerminalTimeout: no answer in time,
                                                                  TerminalUnreachable: nothing was sent)
    net_cancel(reference, timeout) -> "CANCELED" | "NOT_FOUND"  (망취소: undo whatever `reference` did)

The reference is the server's approval job ("T17"): the terminal keys the charge by it, so a
net-cancel finds the charge even when the approval's answer never arrived. The one driver shipped
speaks to the SIMULATED terminal in bridge/simterm.py; a VAN terminal gets its own class here.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Protocol


class TerminalTimeout(Exception):
    """The request was sent and no answer came in time: the charge may have happened."""


class TerminalUnreachable(Exception):
    """The terminal could not be reached: nothing was sent, nothing was charged."""


@dataclass(frozen=True)
class Approval:
    amount: int
    approval_number: str
    card_company: str
    installments: int
    card_number: str


@dataclass(frozen=True)
class Decline:
    code: str
    message: str


class TerminalDriver(Protocol):
    def approve(self, reference: str, amount: int, *, timeout: float) -> Approval | Decline: ...

    def net_cancel(self, reference: str, *, timeout: float) -> str: ...


class SimulatedTerminalDriver:
    """The SIMULATED terminal's line protocol (see bridge/simterm.py): one request line, one answer
    line, tab-separated, UTF-8, over TCP. No real card is ever charged."""

    def __init__(self, address: str, *, connect_timeout: float = 3.0):
        host, _, port = address.rpartition(":")
        self.host, self.port = host or "127.0.0.1", int(port)
        self.connect_timeout = connect_timeout

    def _exchange(self, line: str, timeout: float) -> list[str]:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        except OSError as err:
            raise TerminalUnreachable(str(err)) from err
        with sock:
            try:
                sock.sendall(line.encode() + b"\n")
            except OSError as err:
                raise TerminalTimeout(str(err)) from err  # it may have been read: treat as sent
            sock.settimeout(timeout)
            buffer = b""
            try:
                while not buffer.endswith(b"\n"):
                    chunk = sock.recv(4096)
                    if not chunk:
                        raise TerminalTimeout("connection closed without an answer")
                    buffer += chunk
            except TimeoutError as err:
                raise TerminalTimeout("no answer in time") from err
            except OSError as err:
                raise TerminalTimeout(str(err)) from err
        return buffer.decode().rstrip("\n").split("\t")

    def approve(self, reference: str, amount: int, *, timeout: float) -> Approval | Decline:
        fields = self._exchange(f"APPROVE\t{reference}\t{amount}", timeout)
        if fields[0] == "APPROVED" and len(fields) >= 7 and fields[1] == reference:
            return Approval(
                amount=int(fields[2]),
                approval_number=fields[3],
                card_company=fields[4],
                installments=int(fields[5]),
                card_number=fields[6],
            )
        if fields[0] == "DECLINED" and len(fields) >= 4:
            return Decline(code=fields[2], message=fields[3])
        raise TerminalTimeout(f"unexpected answer {fields[0]!r}")

    def net_cancel(self, reference: str, *, timeout: float) -> str:
        fields = self._exchange(f"NETCANCEL\t{reference}", timeout)
        if fields[0] == "CANCELED" and fields[1:2] == [reference]:
            return "CANCELED"
        if fields[0] == "NOTFOUND" and fields[1:2] == [reference]:
            return "NOT_FOUND"
        raise TerminalTimeout(f"unexpected answer {fields[0]!r}")


DRIVERS = {"SIMULATED": SimulatedTerminalDriver}


def driver_for(driver: str, address: str) -> TerminalDriver:
    try:
        return DRIVERS[driver](address)
    except KeyError:
        raise TerminalUnreachable(f"no driver {driver!r}") from None
