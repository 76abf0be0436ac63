"""The product grid as the POS draws it: category tabs (recommended first), search, sold-out."""

from __future__ import annotations

from django.utils.translation import gettext as _

from apps.carts.cart import CartChannel
from apps.catalog.selectors import products_for_owner
from apps.core.errors import NotFound
from apps.inventory import selectors as inventory_selectors
from apps.inventory.selectors import SellableListing
from apps.stores.models import Store

RECOMMENDED = "recommended"
ALL = "all"


def current_version(store: Store) -> str:
    return inventory_selectors.menu_version(store)


def menu_context(store: Store, *, category: str = "", query: str = "") -> dict:
    menu = inventory_selectors.menu_for_store(store, channel=CartChannel.POS)
    query = (query or "").strip()[:50]
    tabs = []
    if menu.recommended:
        tabs.append({"key": RECOMMENDED, "name": _("추천")})
    tabs.append({"key": ALL, "name": _("전체")})
    tabs.extend({"key": str(c.id), "name": c.name} for c in menu.categories if c.parent_id is None)
    keys = {tab["key"] for tab in tabs}
    if category not in keys:
        category = tabs[0]["key"]
    if query:
        # A search looks through the whole menu, whatever tab is open.
        needle = query.casefold()
        items = [i for i in menu.items if needle in i.name.casefold() or needle in i.listing.name_en.casefold()]
    elif category == RECOMMENDED:
        items = list(menu.recommended)
    elif category == ALL:
        items = list(menu.items)
    else:
        wanted = _with_descendants(menu, int(category))
        items = [i for i in menu.items if i.listing.category_ids & wanted]
    return {
        "menu_version": menu.version,
        "tabs": tabs,
        "category": category,
        "query": query,
        "items": items,
    }


def _with_descendants(menu, category_id: int) -> set[int]:
    wanted = {category_id}
    changed = True
    while changed:
        changed = False
        for c in menu.categories:
            if c.parent_id in wanted and c.id not in wanted:
                wanted.add(c.id)
                changed = True
    return wanted


def listing(store: Store, product_id: int) -> SellableListing:
    found = inventory_selectors.sellable_listings(store, [product_id]).get(product_id)
    if found is None:
        raise NotFound("PRODUCT_NOT_FOUND", _("상품을 찾을 수 없습니다."))
    return found


def listing_by_barcode(store: Store, code: str) -> SellableListing | None:
    product_ids = list(
        products_for_owner(store.owner)
        .filter(barcode=code[:64], owner_id=store.owner_id)
        .values_list("pk", flat=True)[:1]
    )
    if not product_ids:
        return None
    return inventory_selectors.sellable_listings(store, product_ids).get(product_ids[0])
