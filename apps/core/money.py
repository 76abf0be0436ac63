"""Money is integer won. Every rounding rule of CloudPOS lives in this module.

No floats anywhere: a float cannot hold 1/11 or 0.1 exactly, and one won off on a receipt is a
bug a tax office notices. Every helper takes ints (or exact `Fraction`/`Decimal` values) and
refuses floats outright, so a float sneaking in from a form or JSON fails loudly instead of
rounding quietly.

Rules (DESIGN.md "Money is integer won"):
- prices include VAT; per order `vat = round_half_up(taxable_total / 11)`, `supply = taxable - vat`;
- percent discounts round down to the won (`percent_of`);
- order-level amounts are spread over lines by largest remainder (`allocate`), so parts always add
  up to the whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import get_language

Exact = int | Fraction | Decimal

VAT_DIVISOR = 11  # 10% VAT included in the price: VAT = price × 10/110 = price / 11


def _exact(value: Exact, what: str) -> Fraction:
    # bool is an int subclass; True won is never meant.
    if isinstance(value, bool) or not isinstance(value, int | Fraction | Decimal):
        raise TypeError(f"{what} must be an int, Fraction or Decimal (never a float), got {type(value).__name__}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{what} must be finite")
    return Fraction(value)


def _int(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int (won), got {type(value).__name__}")
    return value


def round_half_up(value: Exact, divisor: Exact = 1) -> int:
    """`value / divisor` rounded to the nearest won, halves away from zero (0.5 → 1, -0.5 → -1).

    Call it with the division spelled out so no float is ever formed: `round_half_up(total, 11)`.
    Halves go away from zero so a refund (negative) rounds to the mirror image of the sale.
    """
    quotient = _exact(value, "value") / _exact(divisor, "divisor")
    if quotient < 0:
        return -round_half_up(-quotient)
    # floor(q + 1/2) with integers only: q = n/d  →  (2n + d) // 2d
    n, d = quotient.numerator, quotient.denominator
    return (2 * n + d) // (2 * d)


def vat_split(taxable_total: int) -> tuple[int, int]:
    """(supply, vat) of a VAT-inclusive total: 15,000 → (13,636, 1,364).

    VAT is computed once per order over the taxable total (never summed per line, which would
    drift by a won per line); tax-free amounts must be left out by the caller.
    """
    taxable_total = _int(taxable_total, "taxable_total")
    vat = round_half_up(taxable_total, VAT_DIVISOR)
    return taxable_total - vat, vat


def percent_of(amount: int, pct: Exact) -> int:
    """`pct`% of `amount`, rounded down to the won (toward zero): a discount never overshoots.

    percent_of(9_900, 15) == 1_485, percent_of(999, 10) == 99.
    """
    amount = _int(amount, "amount")
    share = Fraction(amount) * _exact(pct, "pct") / 100
    # int() truncates toward zero: for the non-negative amounts discounts use that is floor.
    return int(share)


def allocate(amount: int, weights: Sequence[int]) -> list[int]:
    """Split `amount` over `weights` proportionally; the parts always add up to `amount` exactly.

    Largest-remainder method: everyone first gets the floor of their exact share, then the won
    left over go one each to the largest fractional remainders. Ties are broken by the larger
    weight, then the earlier position, so the same input always gives the same output (callers
    that must not depend on input order sort their weights by a stable key first).

    A part never exceeds ceil(amount × w / Σw), so when `amount <= Σw` no part exceeds its weight:
    an order discount spread over line nets never makes a line negative.
    """
    amount = _int(amount, "amount")
    weights = [_int(w, "weight") for w in weights]
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    if amount < 0:
        return [-part for part in allocate(-amount, weights)]
    total_weight = sum(weights)
    if total_weight == 0:
        if amount == 0:
            return [0] * len(weights)
        raise ValueError("cannot allocate a non-zero amount over zero total weight")

    parts: list[int] = []
    remainders: list[int] = []
    for weight in weights:
        part, remainder = divmod(amount * weight, total_weight)
        parts.append(part)
        remainders.append(remainder)
    left_over = amount - sum(parts)  # < len(weights) by construction
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], -weights[i], i))
    for i in order[:left_over]:
        parts[i] += 1
    return parts


KOREAN = "ko"


def format_won(amount: int | None, language: str | None = None) -> str:
    """An amount as the reader writes it: Korean `12,300원`, English `₩12,300` (the sign first, as
    English writes currencies); negative amounts keep their sign: `-500원`, `-₩500`.

    `language` defaults to the active one, so the template filter, the admin and messages built in
    a view all follow the reader's language from this one place. Pass `KOREAN` where the Korean form
    is fixed whatever the reader's language (a printed Korean receipt, an export).
    """
    if amount is None:
        return ""
    amount = int(amount)
    sign = "-" if amount < 0 else ""
    if (language or get_language() or KOREAN).startswith("en"):
        return f"{sign}₩{abs(amount):,}"
    return f"{sign}{abs(amount):,}원"
