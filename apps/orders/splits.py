"""Split bills of a table tab (pure functions, no database): evenly 1/N or by chosen lines.

Each part carries its amount, taxable amount and VAT. Amounts are spread by largest remainder
(`core.money.allocate`), and so is the tab's VAT over the parts' taxable amounts: the parts add up
to the tab exactly, VAT included, and no part is negative. A part's VAT is therefore the tab's VAT
shared out, not `vat_split` of the part (which could drift a won from the tab's VAT in total).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from apps.core.errors import Invalid
from apps.core.money import allocate

MAX_PARTS = 20
TAXABLE = "TAXABLE"


@dataclass(frozen=True)
class SplitPart:
    amount: int
    taxable: int
    vat: int
    line_ids: tuple[int, ...] = ()

    @property
    def supply(self) -> int:
        return self.taxable - self.vat


@dataclass(frozen=True)
class BillLine:
    """One line of the tab as the split sees it; a void line names the line it voids."""

    id: int
    net: int
    tax_type: str
    void_of: int | None = None


def _with_vat(amounts: list[int], taxables: list[int], vat: int, line_ids=None) -> list[SplitPart]:
    vats = allocate(vat, taxables) if any(taxables) else [0] * len(amounts)
    ids = line_ids or [()] * len(amounts)
    return [
        SplitPart(amount=a, taxable=t, vat=v, line_ids=tuple(i))
        for a, t, v, i in zip(amounts, taxables, vats, ids, strict=True)
    ]


def split_even(*, total: int, taxable: int, vat: int, parts: int) -> list[SplitPart]:
    """1/N: `parts` payments; the won left over go to the first parts (largest remainder)."""
    if isinstance(parts, bool) or not isinstance(parts, int) or not 2 <= parts <= MAX_PARTS:
        raise Invalid("INVALID_SPLIT", _("나눌 인원은 2~%(max)d명이어야 합니다.") % {"max": MAX_PARTS})
    if total <= 0 or parts > total:
        raise Invalid("INVALID_SPLIT", _("나눌 금액이 없습니다."))
    amounts = allocate(total, [1] * parts)
    # Taxable shares follow the amounts, so no part's taxable amount exceeds its amount.
    taxables = allocate(taxable, amounts)
    return _with_vat(amounts, taxables, vat)


def split_by_lines(lines: Iterable[BillLine], groups: Sequence[Iterable[int]], *, vat: int) -> list[SplitPart]:
    """One part per group of chosen line ids (a void goes with the line it voids), plus a last part
    with every line left over (possibly empty). 422 for an unknown line or a line chosen twice."""
    lines = list(lines)
    by_id = {line.id: line for line in lines if line.void_of is None}
    voids: dict[int, list[BillLine]] = {}
    for line in lines:
        if line.void_of is not None:
            voids.setdefault(line.void_of, []).append(line)
    chosen: set[int] = set()
    groups_ids: list[list[int]] = []
    for group in groups:
        ids = list(group)
        if not ids:
            raise Invalid("INVALID_SPLIT", _("나눌 항목을 고르세요."))
        for line_id in ids:
            if line_id not in by_id or line_id in chosen:
                raise Invalid("INVALID_SPLIT", _("나눌 항목이 올바르지 않습니다."))
            chosen.add(line_id)
        groups_ids.append(ids)
    groups_ids.append([line_id for line_id in by_id if line_id not in chosen])

    amounts, taxables = [], []
    for ids in groups_ids:
        members = [line for line_id in ids for line in (by_id[line_id], *voids.get(line_id, []))]
        amounts.append(sum(line.net for line in members))
        taxables.append(sum(line.net for line in members if line.tax_type == TAXABLE))
    if any(a < 0 for a in amounts) or any(t < 0 for t in taxables):
        raise Invalid("INVALID_SPLIT", _("나눌 항목이 올바르지 않습니다."))
    return _with_vat(amounts, taxables, vat, groups_ids)
