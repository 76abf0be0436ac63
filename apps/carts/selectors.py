"""Cart reads: a cart's lines resolved against the store's listings and priced by the one engine.

Prices in a cart are for display; `orders.order_place` calls `cart_lines_resolved(..., strict=True)`
inside its transaction and prices again, so what the customer pays always comes from the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import Conflict, DomainError, NotFound
from apps.core.korean import with_particle
from apps.discounts.pricing import ManualDiscount, PricingLine, price_order
from apps.discounts.selectors import pricing_context
from apps.inventory.selectors import sellable_listings, validate_options
from apps.stores.models import Store

from . import cart as cart_store
from .cart import Cart

__all__ = [
    "PricedCart",
    "PricedCartLine",
    "ResolvedLine",
    "cart_by_id",
    "cart_listings",
    "cart_lines_resolved",
    "cart_priced",
]


def cart_by_id(cart_id: str) -> Cart | None:
    """The cart without the device check (orders' and receivers' use); None when gone."""
    return cart_store.load(cart_id)


@dataclass(frozen=True)
class ResolvedLine:
    line: dict
    listing: object | None  # inventory SellableListing
    options: tuple = ()  # inventory OptionView
    problem: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None and self.listing is not None


def cart_listings(store: Store, product_ids, *, known: dict | None = None, fresh_stock: bool = True) -> dict:
    """Sellable listings for `product_ids`, reusing those in `known` (already loaded earlier in the
    same request) so an add-line request reads the menu once, not once per step. The listings come
    from inventory's menu-version cache; `fresh_stock=False` is for a caller that locks the stock
    rows itself (order placement)."""
    listings = dict(known or {})
    missing = sorted(set(product_ids) - listings.keys())
    if missing:
        listings.update(sellable_listings(store, missing, fresh_stock=fresh_stock))
    return listings


def cart_lines_resolved(
    store: Store, lines: list[dict], *, strict: bool, listings: dict | None = None, fresh_stock: bool = True
) -> list[ResolvedLine]:
    """Each cart line with its listing and chosen options, read now. `strict` raises the first
    problem (unknown product 404, sold out 409, options 422/409); otherwise it is kept on the line."""
    listings = cart_listings(store, {line["productId"] for line in lines}, known=listings, fresh_stock=fresh_stock)
    resolved = []
    for line in lines:
        listing = listings.get(line["productId"])
        try:
            if listing is None:
                raise NotFound("PRODUCT_NOT_FOUND", _("이 매장에서 판매하지 않는 상품입니다."))
            if not listing.available:
                raise Conflict(
                    "SOLD_OUT",
                    _("%(name)s 지금 주문할 수 없습니다.") % {"name": with_particle(listing.name, "은/는")},
                    details={"productId": line["productId"], "reason": listing.unavailable_reason},
                )
            options = tuple(validate_options(listing, list(line.get("optionIds") or [])))
        except DomainError as err:
            if strict:
                raise
            resolved.append(ResolvedLine(line=line, listing=listing, problem=err))
            continue
        resolved.append(ResolvedLine(line=line, listing=listing, options=options))
    return resolved


def pricing_lines(resolved: list[ResolvedLine]) -> list:
    return [
        PricingLine(
            key=item.line["lineId"],
            product_id=item.listing.product_id,
            category_ids=frozenset(item.listing.category_ids),
            unit_price=int(item.listing.unit_price),
            option_total=sum(int(option.price_delta) for option in item.options),
            quantity=int(item.line["qty"]),
            tax_type=item.listing.tax_type,
            name=item.listing.name,
        )
        for item in resolved
        if item.ok
    ]


def manual_discounts(meta: dict) -> tuple:
    return tuple(
        ManualDiscount(
            kind=item["kind"], value=item["value"], reason=item.get("reason", ""), line_key=item.get("line_key")
        )
        for item in meta.get("manual_discounts") or []
    )


def option_snapshot(options) -> list[dict]:
    # The English name only when there is one (receipts show it in English mode), so snapshots of
    # options without one stay as they were.
    return [
        {
            "id": option.id,
            "name": option.name,
            **({"name_en": option.name_en} if option.name_en else {}),
            "price": int(option.price_delta),
        }
        for option in options
    ]


@dataclass(frozen=True)
class PricedCartLine:
    line_id: str
    product_id: int
    name: str
    qty: int
    options: list[dict]
    unit_price: int
    amount: int
    discount: int
    net: int
    note: str = ""
    available: bool = True
    problem_code: str = ""
    problem_message: str = ""
    name_en: str = ""  # shown in English mode (the `localized` filter); not part of the cart API

    def as_json(self) -> dict:
        data = {
            "lineId": self.line_id,
            "productId": self.product_id,
            "name": self.name,
            "qty": self.qty,
            "options": self.options,
            "unitPrice": self.unit_price,
            "amount": self.amount,
            "discount": self.discount,
            "net": self.net,
            "note": self.note,
            "available": self.available,
        }
        if self.problem_code:
            data["problem"] = {"code": self.problem_code, "message": self.problem_message}
        return data


@dataclass(frozen=True)
class PricedCart:
    cart: Cart
    lines: list[PricedCartLine]
    totals: dict
    priced: object | None = None  # discounts.pricing.PricedOrder
    coupon_error: str = ""
    order_discounts: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        data = {
            "cartId": self.cart.id,
            "state": self.cart.state,
            "version": self.cart.version,
            "channel": self.cart.channel,
            "serviceType": self.cart.meta.get("service_type") or "",
            "couponCode": self.cart.meta.get("coupon_code") or "",
            "lines": [line.as_json() for line in self.lines],
            "orderDiscounts": self.order_discounts,
            "totals": self.totals,
        }
        if self.coupon_error:
            data["couponError"] = self.coupon_error
        return data


EMPTY_TOTALS = {"gross": 0, "discount": 0, "total": 0, "supply": 0, "vat": 0, "taxFree": 0}


def cart_priced(cart: Cart, *, store: Store | None = None, listings: dict | None = None) -> PricedCart:
    """The cart for display: lines that can no longer be sold are shown (available=False) but left
    out of the totals; a coupon that stopped working is dropped and reported in `couponError`.
    `store` and `listings` may be passed when the caller already has them (see cart_listings)."""
    if store is None or store.pk != cart.store_id:
        store = Store.objects.get(pk=cart.store_id)
    resolved = cart_lines_resolved(store, cart.lines, strict=False, listings=listings) if cart.lines else []
    coupon_error = ""
    now = timezone.now()
    try:
        context = pricing_context(store, channel=cart.channel, at=now, coupon_code=cart.meta.get("coupon_code") or None)
    except DomainError as err:
        coupon_error = err.message
        context = pricing_context(store, channel=cart.channel, at=now, coupon_code=None)
    good = [item for item in resolved if item.ok]
    priced = price_order(pricing_lines(good), context, manual_discounts(cart.meta)) if good else None
    priced_by_key = {line.key: line for line in priced.lines} if priced else {}

    lines = []
    for item in resolved:
        priced_line = priced_by_key.get(item.line["lineId"]) if item.ok else None
        name = item.listing.name if item.listing is not None else ""
        name_en = (item.listing.name_en or "") if item.listing is not None else ""
        if priced_line is None:
            unit = int(item.listing.unit_price) if item.listing is not None else 0
            lines.append(
                PricedCartLine(
                    line_id=item.line["lineId"],
                    product_id=item.line["productId"],
                    name=name,
                    name_en=name_en,
                    qty=item.line["qty"],
                    options=[],
                    unit_price=unit,
                    amount=0,
                    discount=0,
                    net=0,
                    note=item.line.get("note", ""),
                    available=False,
                    problem_code=item.problem.code if item.problem else "",
                    problem_message=item.problem.message if item.problem else "",
                )
            )
            continue
        lines.append(
            PricedCartLine(
                line_id=item.line["lineId"],
                product_id=item.line["productId"],
                name=name,
                name_en=name_en,
                qty=item.line["qty"],
                options=option_snapshot(item.options),
                unit_price=int(priced_line.unit_price),
                amount=int(priced_line.gross),
                discount=int(priced_line.discount),
                net=int(priced_line.net),
                note=item.line.get("note", ""),
            )
        )
    if priced is None:
        totals = dict(EMPTY_TOTALS)
        order_discounts: list[dict] = []
    else:
        totals = {
            "gross": int(priced.gross),
            "discount": int(priced.discount),
            "total": int(priced.total),
            "supply": int(priced.supply),
            "vat": int(priced.vat),
            "taxFree": int(priced.tax_free),
        }
        order_discounts = [
            {"name": d.name, "amount": int(d.amount), "source": d.source} for d in priced.order_discounts
        ]
    return PricedCart(
        cart=cart, lines=lines, totals=totals, priced=priced, coupon_error=coupon_error, order_discounts=order_discounts
    )
