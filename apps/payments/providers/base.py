"""The one interface every payment provider speaks: `confirm`, `cancel`, `fetch`.

A provider never touches the database and never raises for a gateway answer: it classifies the
answer into an `Outcome` so the service can decide the state move under a row lock. The request and
the raw answer come back too, for the append-only `PaymentEvent` log.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from apps.payments.models import Payment


class Outcome(enum.StrEnum):
    OK = "OK"  # the provider answered and the operation is done (or, for fetch, here is the object)
    DECLINED = "DECLINED"  # a definite no: nothing was or will be charged / refunded
    UNKNOWN = "UNKNOWN"  # timeout, 5xx, PROVIDER_ERROR, 409: it may or may not have happened
    NOT_FOUND = "NOT_FOUND"  # the provider has no such payment (fetch) or session (confirm)


@dataclass(frozen=True)
class Answer:
    outcome: Outcome
    operation: str
    request: dict = field(default_factory=dict)
    body: dict = field(default_factory=dict)
    http_status: int | None = None
    code: str = ""
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK


class Provider(Protocol):
    kind: str
    # True when the customer finishes the payment in a browser window (Toss, simulated); False when
    # it completes at the counter in the same request (cash, card terminal).
    redirect_flow: bool

    def confirm(self, payment: Payment) -> Answer: ...

    def cancel(self, payment: Payment, *, amount: int, reason: str, idempotency_key: str) -> Answer: ...

    def fetch(self, payment: Payment) -> Answer: ...
