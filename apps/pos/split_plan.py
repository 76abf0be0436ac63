"""The split the cashier chose for a tab (1/N, or chosen lines + the rest), kept while its parts
are paid one by one, so the pay screen can offer the current part's amount.

Kept in Redis for a day, not in the database: it is a hint for the screen, never a fact. What was
paid is always the tab's payments; the current part is found by walking the parts' amounts past
what has been paid since the split was chosen, so a part paid in two goes (cash + card) still
leads to the right next part.
"""

from __future__ import annotations

import json

from apps.core.redis import get_redis
from apps.orders.models import Order
from apps.orders.splits import SplitPart

PLAN_TTL_SECONDS = 24 * 60 * 60


def _key(order_id: int) -> str:
    return f"pos:split-plan:{order_id}"


def split_plan_save(order: Order, parts: list[SplitPart], *, paid: int) -> None:
    """Remember the parts (empty ones dropped) and what was already paid when they were chosen."""
    kept = [part for part in parts if part.amount > 0]
    if not kept:
        split_plan_clear(order)
        return
    plan = {"amounts": [p.amount for p in kept], "lines": [list(p.line_ids) for p in kept], "paid_before": paid}
    get_redis().set(_key(order.pk), json.dumps(plan), ex=PLAN_TTL_SECONDS)


def split_plan_clear(order: Order) -> None:
    get_redis().delete(_key(order.pk))


def split_plan_next(order: Order, *, paid: int, due: int) -> dict | None:
    """{"number", "count", "amount", "line_ids"} of the part to pay now (`line_ids`: the tab lines
    of a split by chosen lines, else empty), or None without a plan (or when the payments no longer
    fit it, e.g. a refund)."""
    raw = get_redis().get(_key(order.pk))
    if not raw or due <= 0:
        return None
    try:
        plan = json.loads(raw)
        amounts = [int(a) for a in plan["amounts"]]
        lines = plan.get("lines") or [[] for _ in amounts]
        paid_since = paid - int(plan["paid_before"])
    except (ValueError, KeyError, TypeError):
        return None
    if paid_since < 0:
        return None
    end = 0
    for number, amount in enumerate(amounts, start=1):
        end += amount
        if paid_since < end:
            line_ids = [int(i) for i in lines[number - 1]] if number <= len(lines) else []
            return {
                "number": number,
                "count": len(amounts),
                "amount": min(end - paid_since, due),
                "line_ids": line_ids,
            }
    return None
