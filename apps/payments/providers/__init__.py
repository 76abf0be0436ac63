"""Provider registry: one object per `PaymentMethod.Kind`."""

from __future__ import annotations

from .base import Answer, Outcome, Provider
from .card_terminal import CardTerminalProvider
from .cash import CashProvider
from .portone import PortOneProvider
from .simulated import SimulatedProvider
from .toss import TossProvider

__all__ = ["Answer", "Outcome", "Provider", "get_provider"]


def get_provider(kind: str) -> Provider:
    if kind == "CASH":
        return CashProvider()
    if kind == "CARD_TERMINAL":
        return CardTerminalProvider()
    if kind == "TOSS":
        return TossProvider()
    if kind == "SIMULATED":
        return SimulatedProvider()
    if kind == "PORTONE":
        return PortOneProvider()
    raise ValueError(f"unknown payment kind {kind!r}")
