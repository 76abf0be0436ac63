"""What the cash screen offers: the quick "received" amounts for an amount due."""

from __future__ import annotations

# The notes a customer hands over, smallest first (10,000원 and up cover most of a café's sales).
BILLS = (1_000, 5_000, 10_000, 50_000)


def quick_cash_amounts(due: int) -> list[int]:
    """The next amount payable with each note size above `due` (12,300원 → 13,000 / 15,000 /
    20,000 / 50,000), deduplicated and ascending; an amount equal to `due` is the "exact" button."""
    if due <= 0:
        return []
    amounts = {-(-due // bill) * bill for bill in BILLS}
    return sorted(amount for amount in amounts if amount > due)
