"""Money is integer won. Every rounding rule of CloudPOS lives in this module."""

from __future__ import annotations


def format_won(amount: int | None) -> str:
    """12300 -> '12,300원'; negative amounts keep their sign: -500 -> '-500원'."""
    if amount is None:
        return ""
    amount = int(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,}원"
