"""Writes of a store's listings and stock.

Stock rules: every change of a tracked listing's stock goes through this module and leaves a
StockMovement row with the quantity after it, in the same transaction; rows are always locked in
id order (`select_for_update` + `order_by("id")`), so two checkouts that share products lock them
in the same order and cannot deadlock (a sale and its release lock only the tracked ones: an
untracked row is never written, see `_lock_tracked`); the quantity never goes below zero (checked
under the lock, and a CHECK constraint backs it up). Every service that changes what a menu shows
bumps the store's menu version.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.catalog.models import Option, Product
from apps.catalog.services import clean_won
from apps.core.errors import Conflict, Invalid, NotFound
from apps.stores.business_day import next_cutoff
from apps.stores.models import Store

from .models import StockMovement, StoreOptionStatus, StoreProduct
from .versions import snooze_register, store_menu_bump

Reason = StockMovement.Reason


# --- listings -----------------------------------------------------------------------------------


def listing_clean(
    *,
    price_override=None,
    track_stock=False,
    stock_quantity=0,
    recommended_rank=None,
    display_order=0,
    low_stock_threshold=0,
) -> dict:
    """Listing input checked and typed (422 INVALID_FIELD / INVALID_QUANTITY otherwise)."""
    if price_override is not None:
        price_override = clean_won(price_override, "storePrice")
    if not isinstance(track_stock, bool):
        raise Invalid("INVALID_FIELD", _("trackStock 값은 true/false여야 합니다."))
    for name, value in (("displayOrder", display_order), ("lowStockThreshold", low_stock_threshold)):
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 1_000_000:
            raise Invalid("INVALID_FIELD", _("%(field)s 값은 정수여야 합니다.") % {"field": name})
    if recommended_rank is not None:
        recommended_rank = _clean_quantity(recommended_rank, "recommendedRank")
        if recommended_rank > 32767:
            raise Invalid("INVALID_FIELD", _("recommendedRank 값이 너무 큽니다."))
    stock_quantity = _clean_quantity(stock_quantity, "stock", allow_zero=True)
    return {
        "price_override": price_override,
        "track_stock": track_stock,
        "stock_quantity": stock_quantity,
        "recommended_rank": recommended_rank,
        "display_order": display_order,
        "low_stock_threshold": low_stock_threshold,
    }


def listing_create(
    store: Store,
    product: Product,
    *,
    price_override: int | None = None,
    track_stock: bool = False,
    stock_quantity: int = 0,
    recommended_rank: int | None = None,
    display_order: int = 0,
    low_stock_threshold: int = 0,
    user=None,
) -> StoreProduct:
    """List a catalog product in a store (re-listing it if it was unlisted)."""
    if product.owner_id != store.owner_id:
        raise NotFound("PRODUCT_NOT_FOUND", _("상품을 찾을 수 없습니다."))
    cleaned = listing_clean(
        price_override=price_override,
        track_stock=track_stock,
        stock_quantity=stock_quantity,
        recommended_rank=recommended_rank,
        display_order=display_order,
        low_stock_threshold=low_stock_threshold,
    )
    price_override, stock_quantity = cleaned["price_override"], cleaned["stock_quantity"]
    with transaction.atomic():
        listing, created = StoreProduct.objects.select_for_update().get_or_create(
            store=store,
            product=product,
            defaults={
                "price_override": price_override,
                "track_stock": track_stock,
                "recommended_rank": recommended_rank,
                "display_order": display_order,
                "low_stock_threshold": low_stock_threshold,
            },
        )
        if not created:
            listing.is_listed = True
            listing.price_override = price_override
            listing.recommended_rank = recommended_rank
            listing.display_order = display_order
            listing.track_stock = track_stock or listing.track_stock
            listing.save(
                update_fields=[
                    "is_listed",
                    "price_override",
                    "recommended_rank",
                    "display_order",
                    "track_stock",
                    "updated_at",
                ]
            )
        if listing.track_stock and stock_quantity != listing.stock_quantity:
            _move(listing, stock_quantity - listing.stock_quantity, Reason.RECEIVE, note=_("등록 시 재고"), user=user)
        store_menu_bump(store.pk)
    return listing


def listing_unlist(store: Store, product_id) -> StoreProduct:
    """Take a product off the store's menu; the catalog product and its history stay."""
    try:
        product_id = int(product_id)
    except (TypeError, ValueError):
        raise NotFound("PRODUCT_NOT_FOUND", _("상품을 찾을 수 없습니다.")) from None
    updated = StoreProduct.objects.filter(store=store, product_id=product_id, is_listed=True).update(
        is_listed=False, updated_at=timezone.now()
    )
    if not updated:
        raise NotFound("PRODUCT_NOT_FOUND", _("이 매장에 진열된 상품이 아닙니다."))
    store_menu_bump(store.pk)
    return StoreProduct.objects.get(store=store, product_id=product_id)


# What an owner may change on a listing (the admin's change list edits exactly these).
LISTING_EDITABLE_FIELDS = (
    "is_listed",
    "price_override",
    "is_sold_out",
    "sold_out_until",
    "recommended_rank",
    "display_order",
    "track_stock",
    "low_stock_threshold",
    "stock_quantity",
)


def listing_update(listing: StoreProduct, *, user=None, note: str = "", **fields) -> StoreProduct:
    """Change a listing's fields; a new `stock_quantity` goes through the ledger as an ADJUST."""
    unknown = set(fields) - set(LISTING_EDITABLE_FIELDS)
    if unknown:
        raise Invalid("INVALID_FIELD", _("바꿀 수 없는 항목입니다: %(f)s") % {"f": ", ".join(sorted(unknown))})
    target_stock = fields.pop("stock_quantity", None)
    with transaction.atomic():
        if fields:
            fields["updated_at"] = timezone.now()
            StoreProduct.objects.filter(pk=listing.pk).update(**fields)
        if fields.get("sold_out_until"):
            snooze_register(listing.store_id, fields["sold_out_until"])
        if target_stock is not None:
            stock_set(listing, target_stock, note=note or _("관리자 수정"), user=user)
        store_menu_bump(listing.store_id)
    listing.refresh_from_db()
    return listing


def _store_listings(store: Store, listing_ids: Iterable[int]):
    return StoreProduct.objects.filter(store=store, pk__in=list(listing_ids))


def listings_set_sold_out(store: Store, listing_ids: Iterable[int], *, sold_out: bool) -> int:
    """Sold out until further notice, or available again (which also ends a "today" snooze)."""
    changes = {"is_sold_out": sold_out, "updated_at": timezone.now()}
    if not sold_out:
        changes["sold_out_until"] = None
    count = _store_listings(store, listing_ids).update(**changes)
    store_menu_bump(store.pk)
    return count


def listings_sold_out_today(store: Store, listing_ids: Iterable[int], *, at: datetime | None = None) -> datetime:
    """Snooze until the store's next business-day cutoff (its timezone and cutoff hour)."""
    until = next_cutoff(store, at or timezone.now())
    _store_listings(store, listing_ids).update(sold_out_until=until, updated_at=timezone.now())
    snooze_register(store.pk, until)
    store_menu_bump(store.pk)
    return until


def listings_recommend(store: Store, listing_ids: Iterable[int]) -> None:
    """Recommend these listings after the ones already recommended, in the order given."""
    ids = list(dict.fromkeys(int(i) for i in listing_ids))
    with transaction.atomic():
        # Lock the store's recommended rows so two owners' tabs do not hand out the same rank.
        ranked = dict(
            StoreProduct.objects.select_for_update()
            .filter(store=store, recommended_rank__isnull=False)
            .order_by("id")
            .values_list("pk", "recommended_rank")
        )
        top = max(ranked.values(), default=0)
        for listing_id in ids:
            if listing_id in ranked:
                continue
            top += 1
            StoreProduct.objects.filter(store=store, pk=listing_id).update(recommended_rank=top)
        store_menu_bump(store.pk)


def listings_unrecommend(store: Store, listing_ids: Iterable[int]) -> int:
    count = _store_listings(store, listing_ids).update(recommended_rank=None, updated_at=timezone.now())
    store_menu_bump(store.pk)
    return count


def option_set_sold_out(store: Store, option: Option, *, sold_out: bool) -> None:
    """Sold out in this store only (Option.is_sold_out is the owner-wide switch)."""
    if option.group.owner_id != store.owner_id:
        raise NotFound("OPTION_NOT_FOUND", _("옵션을 찾을 수 없습니다."))
    StoreOptionStatus.objects.update_or_create(store=store, option=option, defaults={"is_sold_out": sold_out})
    store_menu_bump(store.pk)


# --- stock --------------------------------------------------------------------------------------


def _clean_quantity(value, field: str, *, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < (0 if allow_zero else 1):
        raise Invalid(
            "INVALID_QUANTITY",
            _("%(field)s 값은 %(min)d 이상의 정수여야 합니다.") % {"field": field, "min": 0 if allow_zero else 1},
        )
    return value


def _aggregate(items: Iterable[tuple[int, int]]) -> dict[int, int]:
    totals: dict[int, int] = {}
    for item in items:
        try:
            store_product_id, quantity = item
            store_product_id = int(store_product_id)
        except (TypeError, ValueError):
            raise Invalid("INVALID_QUANTITY", _("재고 항목은 (상품, 수량) 쌍이어야 합니다.")) from None
        totals[store_product_id] = totals.get(store_product_id, 0) + _clean_quantity(quantity, "qty")
    return totals


def _lock(store: Store, ids) -> list[StoreProduct]:
    """Lock the store's listings in id order (the one lock order every caller shares)."""
    rows = list(
        StoreProduct.objects.select_for_update(of=("self",))
        .select_related("product")
        .filter(store=store, pk__in=list(ids))
        .order_by("id")
    )
    _refuse_missing(ids, {row.pk for row in rows})
    return rows


def _refuse_missing(ids, found) -> None:
    missing = set(ids) - set(found)
    if missing:
        raise NotFound(
            "PRODUCT_NOT_FOUND",
            _("이 매장의 상품이 아닙니다: %(ids)s") % {"ids": ", ".join(map(str, sorted(missing)))},
        )


def _lock_tracked(store: Store, ids) -> list[StoreProduct]:
    """The tracked ones among the store's listings `ids`, locked in id order, with fresh stock.

    An untracked listing's row is never written by a sale, so it is not locked: every placement in
    a store sells the same few products, and locking them made each placement wait for the one
    before it to commit (issue 18). The ids are checked first with a plain read (404 for one that
    is not the store's), which is the only query when nothing in the sale is tracked; the tracked
    rows are then locked and re-read — a listing that stopped being tracked meanwhile is left out.
    """
    # Unordered (read into a dict): the listings' display ordering is only compiled and sorted for nothing.
    flags = dict(StoreProduct.objects.filter(store=store, pk__in=list(ids)).order_by().values_list("pk", "track_stock"))
    _refuse_missing(ids, flags)
    tracked = [pk for pk, track_stock in flags.items() if track_stock]
    if not tracked:
        return []
    return list(
        StoreProduct.objects.select_for_update(of=("self",))
        .select_related("product")
        .filter(store=store, pk__in=tracked, track_stock=True)
        .order_by("id")
    )


def _move(
    listing: StoreProduct,
    delta: int,
    reason: str,
    *,
    reference: str = "",
    note: str = "",
    user=None,
    member=None,
) -> StockMovement:
    """Apply `delta` to a listing already locked by the caller and write its ledger row."""
    before = listing.stock_quantity
    after = before + delta
    if after < 0:
        raise Conflict(
            "STOCK_NEGATIVE",
            _("'%(name)s'의 재고는 0보다 작아질 수 없습니다 (현재 %(n)d개).")
            % {"name": listing.product.name, "n": before},
        )
    listing.stock_quantity = after
    StoreProduct.objects.filter(pk=listing.pk).update(stock_quantity=after, updated_at=timezone.now())
    if (before <= 0) != (after <= 0):
        store_menu_bump(listing.store_id)  # sold out by stock, or back in stock
    return StockMovement.objects.create(
        store_product=listing,
        reason=reason,
        quantity=delta,
        quantity_after=after,
        reference=reference[:100],
        note=note[:200],
        created_by=user if getattr(user, "is_authenticated", False) else None,
        member=member,
    )


def stock_reserve(
    store: Store, items: list[tuple[int, int]], *, reference: str = "", member=None
) -> list[StockMovement]:
    """Take stock for a sale: all or nothing. Untracked listings are skipped.

    409 OUT_OF_STOCK names every product that is short (not just the first one), so the cashier
    or the customer can fix the whole cart at once.
    """
    totals = _aggregate(items)
    if not totals:
        return []
    if transaction.get_connection().in_atomic_block:
        # Inside the caller's transaction (an order being placed): a savepoint would only add two
        # round trips. The refusal below is raised before anything is written, and an error after
        # a write aborts the caller's transaction as a whole.
        return _reserve_locked(store, totals, reference=reference, member=member)
    with transaction.atomic():
        return _reserve_locked(store, totals, reference=reference, member=member)


def _reserve_locked(store: Store, totals: dict[int, int], *, reference: str, member) -> list[StockMovement]:
    rows = _lock_tracked(store, totals)
    short = [
        {
            "productId": row.product_id,
            "storeProductId": row.pk,
            "name": row.product.name,
            "available": row.stock_quantity,
            "requested": totals[row.pk],
        }
        for row in rows
        if row.stock_quantity < totals[row.pk]
    ]
    if short:
        raise Conflict(
            "OUT_OF_STOCK",
            _("재고가 부족합니다: %(items)s")
            % {
                "items": ", ".join(
                    _("%(name)s (남은 수량 %(n)d개)") % {"name": s["name"], "n": s["available"]} for s in short
                )
            },
            details={"products": short},
        )
    return _move_many(rows, {row.pk: -totals[row.pk] for row in rows}, Reason.SALE, reference, member)


def _move_many(
    rows: list[StoreProduct], deltas: dict[int, int], reason: str, reference: str, member
) -> list[StockMovement]:
    """`_move` for several rows already locked by the caller, in two statements whatever their
    number: one UPDATE of the quantities and one INSERT of the ledger rows."""
    if not rows:
        return []
    now = timezone.now()
    movements = []
    crossed_zero = False
    for row in rows:
        before = row.stock_quantity
        after = before + deltas[row.pk]
        if after < 0:  # checked for every row before anything is written
            raise Conflict(
                "STOCK_NEGATIVE",
                _("'%(name)s'의 재고는 0보다 작아질 수 없습니다 (현재 %(n)d개).")
                % {"name": row.product.name, "n": before},
            )
        row.stock_quantity = after
        crossed_zero = crossed_zero or (before <= 0) != (after <= 0)
        movements.append(
            StockMovement(
                store_product=row,
                reason=reason,
                quantity=deltas[row.pk],
                quantity_after=after,
                reference=reference[:100],
                note="",
                member=member,
            )
        )
    StoreProduct.objects.filter(pk__in=[row.pk for row in rows]).update(
        stock_quantity=Case(*(When(pk=row.pk, then=Value(row.stock_quantity)) for row in rows)),
        updated_at=now,
    )
    if crossed_zero:
        store_menu_bump(rows[0].store_id)  # sold out by stock, or back in stock
    return StockMovement.objects.bulk_create(movements)


def stock_release(
    store: Store, items: list[tuple[int, int]], *, reason: str, reference: str = "", member=None
) -> list[StockMovement]:
    """Put stock back after a cancel or a refund. Untracked listings are skipped."""
    if reason not in (Reason.CANCEL, Reason.REFUND):
        raise Invalid("INVALID_REASON", _("재고 복구 사유는 CANCEL 또는 REFUND여야 합니다."))
    totals = _aggregate(items)
    if not totals:
        return []
    with transaction.atomic():
        return [
            _move(row, totals[row.pk], reason, reference=reference, member=member)
            for row in _lock_tracked(store, totals)
        ]


def stock_adjust(
    listing: StoreProduct,
    quantity: int,
    *,
    reason: str = Reason.ADJUST,
    note: str = "",
    reference: str = "",
    user=None,
    member=None,
) -> StockMovement:
    """The owner's change of stock by `quantity` (negative for breakage/loss; RECEIVE must add)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity == 0:
        raise Invalid("INVALID_QUANTITY", _("조정 수량은 0이 아닌 정수여야 합니다."))
    if reason not in (Reason.ADJUST, Reason.RECEIVE):
        raise Invalid("INVALID_REASON", _("재고 조정 사유는 ADJUST 또는 RECEIVE여야 합니다."))
    if reason == Reason.RECEIVE and quantity < 0:
        raise Invalid("INVALID_QUANTITY", _("입고 수량은 0보다 커야 합니다."))
    with transaction.atomic():
        (row,) = _lock(listing.store, [listing.pk])
        if not row.track_stock:
            # Adjusting stock means the owner wants it counted from now on.
            StoreProduct.objects.filter(pk=row.pk).update(track_stock=True)
            row.track_stock = True
            store_menu_bump(row.store_id)
        movement = _move(row, quantity, reason, reference=reference, note=note, user=user, member=member)
    listing.stock_quantity = row.stock_quantity
    listing.track_stock = True
    return movement


def stock_set(listing: StoreProduct, quantity: int, *, note: str = "", user=None) -> StockMovement | None:
    """Set a counted quantity (stock-taking); the ledger records the difference as ADJUST."""
    quantity = _clean_quantity(quantity, "stock", allow_zero=True)
    with transaction.atomic():
        (row,) = _lock(listing.store, [listing.pk])
        delta = quantity - row.stock_quantity
        if delta == 0:
            return None
        return stock_adjust(row, delta, note=note, user=user)


def product_listings_set(
    product: Product, stores: Iterable[Store], prices: dict[int, int | None], *, user=None
) -> list[StoreProduct]:
    """The product's listings in the owner's `stores`, set from one form: listed (with its price
    for that store, or the base price when None) in the stores whose id is a key of `prices`,
    taken off the menu in the others. One transaction: the form saves everything or nothing.
    A listing kept keeps its stock, rank and sold-out state; only its price and listing change."""
    stores, listed = list(stores), []
    with transaction.atomic():
        existing = {row.store_id: row for row in StoreProduct.objects.filter(product=product, store__in=stores)}
        for store in stores:
            row = existing.get(store.pk)
            if store.pk in prices:
                price = prices[store.pk]
                if row is None:
                    listed.append(listing_create(store, product, price_override=price, user=user))
                elif not row.is_listed or row.price_override != price:
                    if price is not None:
                        price = clean_won(price, "price_override")
                    listed.append(listing_update(row, user=user, is_listed=True, price_override=price))
                else:
                    listed.append(row)
            elif row is not None and row.is_listed:
                listing_unlist(store, product.pk)
    return listed
