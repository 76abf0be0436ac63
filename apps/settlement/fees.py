"""Payment-method fees, in integer won.

Rule: the fee of a (store, business date, payment method) is taken on that day's amount net of
the day's refunds through the method, `base = amount − refunds`, at the method's rate in basis points
(1bp = 0.01 %), rounded half away from zero to the won:

    fee = sign(base) × floor((|base| × rate_bp + 5000) / 10000)

A day with more refunds than sales has a negative base and so a negative fee (the acquirer gives the
fee of a cancelled sale back). A settlement's fee is the sum of its days' fees, so the settlement and
the daily reports always add up. The SQL form below is the same rule for the set-based build: it uses
only integer arithmetic, which truncates identically on PostgreSQL and SQLite for non-negative operands.
"""

from __future__ import annotations


def fee_for(base: int, rate_bp: int) -> int:
    base, rate_bp = int(base), int(rate_bp)
    magnitude = (abs(base) * rate_bp + 5000) // 10000
    return -magnitude if base < 0 else magnitude


def fee_sql(base: str, rate: str) -> str:
    """`fee_for` as a SQL expression over two integer column expressions."""
    return (
        f"(CASE WHEN ({base}) < 0 THEN -((-({base}) * ({rate}) + 5000) / 10000) "
        f"ELSE ((({base}) * ({rate}) + 5000) / 10000) END)"
    )
