"""Reads of a store's listings: what can be sold now, at what price, with which options.

Everything a screen or an order needs is loaded in a fixed number of queries (listings with their
products, category links, option-group links, options, per-store option sold-out, categories),
whatever the number of products. Availability is computed against "now" on every read, so a
"sold out for today" snooze ends at its cutoff without anything having to be written.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.catalog.models import Category, Option, Product, ProductOptionGroup
from apps.core.errors import Conflict, Invalid, NotFound
from apps.core.korean import with_particle
from apps.core.localcache import WorkerMemo
from apps.stores.models import Store

from .models import StoreOptionStatus, StoreProduct
from .versions import menu_version_token, store_menu_version_ensure


class Unavailable:
    """Codes of `SellableListing.unavailable_reason` ("" when available)."""

    NOT_LISTED = "NOT_LISTED"
    ARCHIVED = "ARCHIVED"
    SOLD_OUT = "SOLD_OUT"
    SOLD_OUT_TODAY = "SOLD_OUT_TODAY"
    OUT_OF_STOCK = "OUT_OF_STOCK"


UNAVAILABLE_MESSAGES = {
    Unavailable.NOT_LISTED: gettext_lazy("이 매장에서 판매하지 않는 상품입니다."),
    Unavailable.ARCHIVED: gettext_lazy("판매가 중단된 상품입니다."),
    Unavailable.SOLD_OUT: gettext_lazy("품절된 상품입니다."),
    Unavailable.SOLD_OUT_TODAY: gettext_lazy("오늘은 품절된 상품입니다."),
    Unavailable.OUT_OF_STOCK: gettext_lazy("재고가 없는 상품입니다."),
}


@dataclass(frozen=True)
class OptionView:
    id: int
    name: str
    name_en: str
    price_delta: int
    available: bool


@dataclass(frozen=True)
class OptionGroupView:
    id: int
    name: str
    name_en: str
    min_choices: int
    max_choices: int
    required: bool
    options: tuple[OptionView, ...]

    @property
    def effective_min(self) -> int:
        # "required" with min 0 still means the customer must pick one.
        return max(self.min_choices, 1 if self.required else 0)


@dataclass(frozen=True)
class SellableListing:
    store_product_id: int
    product_id: int
    name: str
    name_en: str
    unit_price: int
    tax_type: str
    category_ids: frozenset[int]
    available: bool
    unavailable_reason: str
    track_stock: bool
    stock: int | None
    option_groups: tuple[OptionGroupView, ...]

    @property
    def unavailable_message(self) -> str:
        return str(UNAVAILABLE_MESSAGES.get(self.unavailable_reason, ""))


@dataclass(frozen=True)
class MenuItem:
    listing: SellableListing
    description: str
    base_price: int
    recommended_rank: int | None
    display_order: int
    is_sold_out: bool
    sold_out_until: datetime | None
    low_stock: bool
    thumbnail_url: str
    image_url: str

    @property
    def product_id(self) -> int:
        return self.listing.product_id

    @property
    def name(self) -> str:
        return self.listing.name

    @property
    def unit_price(self) -> int:
        return self.listing.unit_price

    @property
    def available(self) -> bool:
        return self.listing.available


@dataclass(frozen=True)
class MenuCategory:
    id: int
    name: str
    name_en: str
    parent_id: int | None
    sort_order: int
    product_ids: tuple[int, ...]


@dataclass(frozen=True)
class Menu:
    store_id: int
    channel: str
    version: str
    categories: tuple[MenuCategory, ...]
    # Recommended first (by rank), then display order: the order screens draw them in.
    items: tuple[MenuItem, ...]
    generated_at: datetime = field(default_factory=timezone.now)

    @property
    def recommended(self) -> tuple[MenuItem, ...]:
        return tuple(item for item in self.items if item.recommended_rank is not None)

    def items_in(self, category_id: int) -> tuple[MenuItem, ...]:
        return tuple(item for item in self.items if category_id in item.listing.category_ids)

    def item(self, product_id: int) -> MenuItem | None:
        return next((item for item in self.items if item.product_id == product_id), None)


# --- tenancy ------------------------------------------------------------------------------------


def listings_for_store(store: Store) -> QuerySet[StoreProduct]:
    return StoreProduct.objects.filter(store=store)


def listing_for_store(store: Store, store_product_id) -> StoreProduct:
    try:
        return listings_for_store(store).select_related("product").get(pk=int(store_product_id))
    except (StoreProduct.DoesNotExist, TypeError, ValueError):
        raise NotFound("PRODUCT_NOT_FOUND", _("상품을 찾을 수 없습니다.")) from None


# --- availability -------------------------------------------------------------------------------


def listing_unavailable_reason(listing: StoreProduct, product: Product, now: datetime) -> str:
    if not listing.is_listed:
        return Unavailable.NOT_LISTED
    if not product.is_active:
        return Unavailable.ARCHIVED
    if listing.is_sold_out:
        return Unavailable.SOLD_OUT
    if listing.sold_out_until is not None and listing.sold_out_until > now:
        return Unavailable.SOLD_OUT_TODAY
    if listing.track_stock and listing.stock_quantity <= 0:
        return Unavailable.OUT_OF_STOCK
    return ""


def _storage_url(file_field) -> str:
    if not file_field or not file_field.name:
        return ""
    try:
        return file_field.url
    except ValueError:
        return ""


def _load(store: Store, listings: QuerySet[StoreProduct], now: datetime) -> list[tuple[StoreProduct, SellableListing]]:
    rows = list(listings.select_related("product").order_by("display_order", "id"))  # 1 query
    product_ids = [row.product_id for row in rows]
    if not product_ids:
        return []

    categories_by_product: dict[int, set[int]] = defaultdict(set)
    links = Product.categories.through.objects.filter(product_id__in=product_ids)  # 2
    for product_id, category_id in links.values_list("product_id", "category_id"):
        categories_by_product[product_id].add(category_id)

    group_links = list(
        ProductOptionGroup.objects.filter(product_id__in=product_ids)
        .select_related("group")
        .order_by("sort_order", "id")
    )  # 3
    group_ids = {link.group_id for link in group_links}
    options_by_group: dict[int, list[Option]] = defaultdict(list)
    if group_ids:
        for option in Option.objects.filter(group_id__in=group_ids).order_by("sort_order", "id"):  # 4
            options_by_group[option.group_id].append(option)
        store_sold_out = set(
            StoreOptionStatus.objects.filter(store=store, is_sold_out=True, option__group_id__in=group_ids).values_list(
                "option_id", flat=True
            )
        )  # 5
    else:
        store_sold_out = set()

    # Groups are shared across products: build each view once.
    group_views: dict[int, OptionGroupView] = {}
    for link in group_links:
        if link.group_id in group_views:
            continue
        group = link.group
        group_views[group.pk] = OptionGroupView(
            id=group.pk,
            name=group.name,
            name_en=group.name_en,
            min_choices=group.min_choices,
            max_choices=group.max_choices,
            required=group.required,
            options=tuple(
                OptionView(
                    id=option.pk,
                    name=option.name,
                    name_en=option.name_en,
                    price_delta=option.price_delta,
                    available=not option.is_sold_out and option.pk not in store_sold_out,
                )
                for option in options_by_group[group.pk]
            ),
        )
    groups_by_product: dict[int, list[OptionGroupView]] = defaultdict(list)
    for link in group_links:
        groups_by_product[link.product_id].append(group_views[link.group_id])

    result = []
    for row in rows:
        product = row.product
        reason = listing_unavailable_reason(row, product, now)
        result.append(
            (
                row,
                SellableListing(
                    store_product_id=row.pk,
                    product_id=product.pk,
                    name=product.name,
                    name_en=product.name_en,
                    unit_price=row.price_override if row.price_override is not None else product.base_price,
                    tax_type=product.tax_type,
                    category_ids=frozenset(categories_by_product[product.pk]),
                    available=not reason,
                    unavailable_reason=reason,
                    track_stock=row.track_stock,
                    stock=row.stock_quantity if row.track_stock else None,
                    option_groups=tuple(groups_by_product[product.pk]),
                ),
            )
        )
    return result


# --- the cached listings of a store ---------------------------------------------------------------
#
# Every cart step and every order used to read the store's listings with their options from
# PostgreSQL (5 queries, twice per add-item). They change rarely and every change bumps the menu
# version (versions.py: listings, options, sold-out, snoozes, stock crossing zero; the catalog's
# token for products, options and categories), so the whole store's listings are cached in the
# Django cache (Redis) under that version: a change is a new key, never a stale read. What depends on
# the clock or on stock is left out of the cached part and finished on every read: a snooze's end is
# kept and compared with "now", and the stock of tracked listings is read fresh from the database
# (one query, only when a wanted listing tracks stock), so availability and stock checks stay
# authoritative; order placement still locks the stock rows when it reserves.

LISTINGS_CACHE_KEY = "inventory:listings:{store_id}:{version}"
# Short lives bound what a lost on-commit bump (a process killed between its commit and the
# bump) could leave cached under the pre-commit token; the version is what normally invalidates.
LISTINGS_CACHE_SECONDS = 10 * 60
LOCAL_LISTINGS_SECONDS = 60
# Each worker also keeps the last few stores' listings in memory, keyed by the same version, so a
# request that prices a cart after validating a line reads the version from Redis but not the data.
_LOCAL_LISTINGS = WorkerMemo(size=32, seconds=LOCAL_LISTINGS_SECONDS)
# The reasons that neither the clock nor the stock can change (kept as cached).
_STATIC_REASONS = frozenset({Unavailable.NOT_LISTED, Unavailable.ARCHIVED, Unavailable.SOLD_OUT})


def _static_reason(listing: StoreProduct, product: Product) -> str:
    if not listing.is_listed:
        return Unavailable.NOT_LISTED
    if not product.is_active:
        return Unavailable.ARCHIVED
    if listing.is_sold_out:
        return Unavailable.SOLD_OUT
    return ""


def _cacheable(version: str) -> bool:
    # "0.0.…": neither the catalog nor the store was ever bumped (a fresh or flushed Redis); such a
    # token is not unique to this data, so nothing is cached under it until the store has one.
    catalog, store, _snooze = version.split(".", 2)
    return catalog != "0" or store != "0"


def _store_listings_cached(store: Store) -> dict[int, tuple[SellableListing, datetime | None]] | None:
    """{product id: (listing as of its static state, sold_out_until)} for the whole store (None
    only if Redis keeps no token at all)."""
    version = menu_version(store)
    if not _cacheable(version):
        store_menu_version_ensure(store.pk)
        version = menu_version(store)
        if not _cacheable(version):
            return None
    local_key = (store.pk, version)
    local = _LOCAL_LISTINGS.get(local_key)
    if local is not None:
        return local
    cache_key = LISTINGS_CACHE_KEY.format(store_id=store.pk, version=version)
    entries = cache.get(cache_key)
    if entries is None:
        entries = {}
        for row, listing in _load(store, listings_for_store(store), timezone.now()):
            reason = _static_reason(row, row.product)
            entries[listing.product_id] = (
                replace(listing, available=not reason, unavailable_reason=reason),
                row.sold_out_until,
            )
        cache.set(cache_key, entries, LISTINGS_CACHE_SECONDS)
    _LOCAL_LISTINGS.put(local_key, entries)
    return entries


def _finished(listing: SellableListing, sold_out_until: datetime | None, stock: int | None, now: datetime):
    """The cached listing with the clock's and the stock's part of its availability applied."""
    if listing.unavailable_reason in _STATIC_REASONS:
        reason = listing.unavailable_reason
    elif sold_out_until is not None and sold_out_until > now:
        reason = Unavailable.SOLD_OUT_TODAY
    elif listing.track_stock and (stock or 0) <= 0:
        reason = Unavailable.OUT_OF_STOCK
    else:
        reason = ""
    return replace(
        listing,
        available=not reason,
        unavailable_reason=reason,
        stock=stock if listing.track_stock else None,
    )


def sellable_listings(
    store: Store, product_ids, *, at: datetime | None = None, fresh_stock: bool = True
) -> dict[int, SellableListing]:
    """The store's listings of these catalog products, keyed by product id (absent: not in the store).

    Unlisted or archived products are returned with available=False so callers can say why.
    Served from the menu-version cache (see above); stock is read from the database, unless the
    caller locks and checks the stock rows itself (`fresh_stock=False`: order placement).
    """
    try:
        wanted = {int(pid) for pid in product_ids}
    except (TypeError, ValueError):
        raise Invalid("INVALID_PRODUCT", _("상품 번호가 올바르지 않습니다.")) from None
    if not wanted:
        return {}
    now = at or timezone.now()
    entries = _store_listings_cached(store)
    if entries is None:
        loaded = _load(store, listings_for_store(store).filter(product_id__in=wanted), now)
        return {listing.product_id: listing for _row, listing in loaded}
    found = {pid: entries[pid] for pid in wanted if pid in entries}
    tracked = [listing.store_product_id for listing, _until in found.values() if listing.track_stock and fresh_stock]
    stock = (
        dict(listings_for_store(store).filter(pk__in=tracked).values_list("pk", "stock_quantity")) if tracked else {}
    )
    return {
        pid: _finished(listing, until, stock.get(listing.store_product_id, listing.stock), now)
        for pid, (listing, until) in found.items()
    }


def validate_options(listing: SellableListing, option_ids: list[int]) -> list[OptionView]:
    """The chosen options in menu order, or 422 INVALID_OPTIONS / 409 OPTION_SOLD_OUT."""
    try:
        chosen_ids = [int(option_id) for option_id in option_ids]
    except (TypeError, ValueError):
        raise Invalid("INVALID_OPTIONS", _("옵션 번호가 올바르지 않습니다.")) from None
    if len(set(chosen_ids)) != len(chosen_ids):
        raise Invalid("INVALID_OPTIONS", _("같은 옵션을 두 번 고를 수 없습니다."))
    chosen = set(chosen_ids)
    known = {option.id for group in listing.option_groups for option in group.options}
    unknown = sorted(chosen - known)
    if unknown:
        raise Invalid(
            "INVALID_OPTIONS",
            _("'%(name)s'에 없는 옵션입니다: %(ids)s") % {"name": listing.name, "ids": ", ".join(map(str, unknown))},
            details={"unknownOptionIds": unknown},
        )
    selected: list[OptionView] = []
    for group in listing.option_groups:
        picked = [option for option in group.options if option.id in chosen]
        if len(picked) < group.effective_min:
            if group.effective_min == 1:
                message = _("%(group)s 선택해 주세요.") % {"group": with_particle(f"'{group.name}'", "을/를")}
            else:
                message = _("%(group)s %(n)d개 이상 선택해야 합니다.") % {
                    "group": with_particle(f"'{group.name}'", "은/는"),
                    "n": group.effective_min,
                }
            raise Invalid("INVALID_OPTIONS", message, details={"groupId": group.id, "min": group.effective_min})
        if len(picked) > group.max_choices:
            raise Invalid(
                "INVALID_OPTIONS",
                _("%(group)s 최대 %(n)d개까지 선택할 수 있습니다.")
                % {"group": with_particle(f"'{group.name}'", "은/는"), "n": group.max_choices},
                details={"groupId": group.id, "max": group.max_choices},
            )
        selected.extend(picked)
    sold_out = [option for option in selected if not option.available]
    if sold_out:
        raise Conflict(
            "OPTION_SOLD_OUT",
            _("품절된 옵션입니다: %(names)s") % {"names": ", ".join(option.name for option in sold_out)},
            details={"optionIds": [option.id for option in sold_out]},
        )
    return selected


def menu_version(store: Store, *, at: datetime | None = None) -> str:
    """A token that changes whenever the store's menu does (Redis only, no SQL)."""
    return menu_version_token(store.pk, store.owner_id, at)


# --- the cached menu ------------------------------------------------------------------------------
#
# Every menu screen and every menu poll used to read the whole menu from PostgreSQL (6 queries).
# The menu is cached like the listings above: what rarely changes (listings with their products,
# prices, option groups and options, categories, image URLs, the screen order) is kept under the
# catalog and store parts of the menu version, which every change bumps (services, the admin's saves
# through model signals, the image task, stock crossing zero). What the clock or the stock decides is
# never frozen in the cache: a "sold out for today" end is compared with `now` on every read, and
# the stock of the tracked listings (sold out by stock, low stock, the stock shown) is read fresh
# in one query. The snooze part of the version is left out of the key: a snooze ending changes the
# version (screens redraw) but not the cached data, so it costs no reload.

# The layout number changes with _CachedItem/_CachedMenu: a deploy must not unpickle the previous
# layout under a version token that a deploy leaves as it was.
MENU_CACHE_KEY = "inventory:menu:1:{store_id}:{version}"
# Image URLs are cached with the rest. With S3's signed URLs (AWS_QUERYSTRING_AUTH, an hour by
# default) a URL handed out is at most LISTINGS_CACHE_SECONDS + LOCAL_LISTINGS_SECONDS old.


@dataclass(frozen=True)
class _CachedItem:
    listing: SellableListing  # availability as of its static state (see _static_reason)
    sold_out_until: datetime | None
    low_stock_threshold: int
    description: str
    base_price: int
    recommended_rank: int | None
    display_order: int
    is_sold_out: bool
    thumbnail_url: str
    large_url: str


@dataclass(frozen=True)
class _CachedMenu:
    items: tuple[_CachedItem, ...]  # in screen order
    categories: tuple[MenuCategory, ...]


# This worker's copies, as for the listings: a menu poll then reads only the version from Redis.
_LOCAL_MENUS = WorkerMemo(size=32, seconds=LOCAL_LISTINGS_SECONDS)


def _menu_build(store: Store, now: datetime) -> _CachedMenu:
    """The menu's static part from PostgreSQL, in 6 queries."""
    listings = listings_for_store(store).filter(is_listed=True, product__is_active=True)
    cached = []
    for row, listing in _load(store, listings, now):
        product = row.product
        reason = _static_reason(row, product)
        cached.append(
            _CachedItem(
                listing=replace(listing, available=not reason, unavailable_reason=reason),
                sold_out_until=row.sold_out_until,
                low_stock_threshold=row.low_stock_threshold,
                description=product.description,
                base_price=product.base_price,
                recommended_rank=row.recommended_rank,
                display_order=row.display_order,
                is_sold_out=row.is_sold_out,
                thumbnail_url=_storage_url(product.thumbnail) or _storage_url(product.image),
                large_url=_storage_url(product.image_large) or _storage_url(product.image),
            )
        )
    cached.sort(
        key=lambda item: (
            item.recommended_rank is None,
            item.recommended_rank or 0,
            item.display_order,
            item.listing.store_product_id,
        )
    )
    used_categories = set().union(*(item.listing.category_ids for item in cached)) if cached else set()
    product_ids_by_category: dict[int, list[int]] = defaultdict(list)
    for item in cached:
        for category_id in item.listing.category_ids:
            product_ids_by_category[category_id].append(item.listing.product_id)
    all_categories = list(Category.objects.filter(owner_id=store.owner_id).order_by("sort_order", "id"))  # 6
    parent_of = {category.pk: category.parent_id for category in all_categories}
    # A category is shown when it or one of its sub-categories has something on this menu.
    shown: set[int] = set()
    for category_id in used_categories:
        while category_id is not None and category_id not in shown:
            shown.add(category_id)
            category_id = parent_of.get(category_id)
    categories = tuple(
        MenuCategory(
            id=category.pk,
            name=category.name,
            name_en=category.name_en,
            parent_id=category.parent_id,
            sort_order=category.sort_order,
            product_ids=tuple(product_ids_by_category[category.pk]),
        )
        for category in all_categories
        if category.pk in shown
    )
    return _CachedMenu(items=tuple(cached), categories=categories)


def _menu_cached(store: Store, version: str, now: datetime) -> _CachedMenu:
    """The menu's static part: this worker's copy, else Redis, else PostgreSQL (then both)."""
    if not _cacheable(version):
        store_menu_version_ensure(store.pk)
        version = menu_version(store, at=now)
        if not _cacheable(version):
            return _menu_build(store, now)
    # The catalog and store tokens only: the snooze part changes with the clock, not the data.
    data_version = ".".join(version.split(".", 2)[:2])
    local_key = (store.pk, data_version)
    local = _LOCAL_MENUS.get(local_key)
    if local is not None:
        return local
    cache_key = MENU_CACHE_KEY.format(store_id=store.pk, version=data_version)
    menu = cache.get(cache_key)
    if menu is None:
        menu = _menu_build(store, now)
        cache.set(cache_key, menu, LISTINGS_CACHE_SECONDS)
    _LOCAL_MENUS.put(local_key, menu)
    return menu


def menu_for_store(store: Store, *, channel: str, at: datetime | None = None) -> Menu:
    """Everything a POS or kiosk screen needs to draw the store's menu.

    Warm: at most one SQL query (the stock of the tracked listings, none when nothing is tracked)
    besides one Redis round trip for the version; cold: 6 more to build the cached part.
    """
    now = at or timezone.now()
    # Read the version first: if something changes while we load, the screen sees an old version
    # with new data and simply reloads once more, never the other way round.
    version = menu_version(store, at=now)
    cached = _menu_cached(store, version, now)
    tracked = [item.listing.store_product_id for item in cached.items if item.listing.track_stock]
    stock = (
        dict(listings_for_store(store).filter(pk__in=tracked).values_list("pk", "stock_quantity")) if tracked else {}
    )
    large_for_kiosk = channel.upper() != "POS"
    items = []
    for item in cached.items:
        listing = item.listing
        if listing.track_stock or item.sold_out_until is not None:
            listing = _finished(listing, item.sold_out_until, stock.get(listing.store_product_id, listing.stock), now)
        items.append(
            MenuItem(
                listing=listing,
                description=item.description,
                base_price=item.base_price,
                recommended_rank=item.recommended_rank,
                display_order=item.display_order,
                is_sold_out=item.is_sold_out,
                sold_out_until=item.sold_out_until if item.sold_out_until and item.sold_out_until > now else None,
                low_stock=listing.track_stock and 0 < (listing.stock or 0) <= item.low_stock_threshold,
                thumbnail_url=item.thumbnail_url,
                image_url=item.large_url if large_for_kiosk else item.thumbnail_url,
            )
        )
    return Menu(store_id=store.pk, channel=channel, version=version, categories=cached.categories, items=tuple(items))
