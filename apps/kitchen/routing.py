"""Which station makes what, per store — the claims `services._route` works from — cached under a
per-store routing version, so routing a paid order's (or a round's) lines reads no station from
PostgreSQL while the kitchen's setup is unchanged (issue 18: the cash payment's hot path). Every save
or delete of a Station and every change of its product or category links moves the version
(receivers at the bottom), like the payment methods' and discount rules' caches: Redis for 10
minutes, a per-worker copy for 60 s under the same versioned key."""

from __future__ import annotations

import secrets
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from apps.catalog.selectors import catalog_version_key
from apps.core.localcache import WorkerMemo
from apps.core.redis import get_redis

from .models import KitchenSettings, Station

ROUTING_VERSION_KEY = "cloudpos:kitchen:routing:version:{store_id}"
CLAIMS_CACHE_KEY = "kitchen:claims:{store_id}:{version}"
CLAIMS_CACHE_SECONDS = 10 * 60  # short: bounds what a lost on-commit bump could leave cached
LOCAL_CLAIMS_SECONDS = 60
_LOCAL_CLAIMS = WorkerMemo(size=32, seconds=LOCAL_CLAIMS_SECONDS)

# (station by product id, station by category id, the default station's id or None)
Claims = tuple[dict[int, int], dict[int, int], int | None]


def _set_new_version(store_id: int) -> str:
    token = f"{time.time_ns()}{secrets.randbelow(10**6):06d}"
    get_redis().set(ROUTING_VERSION_KEY.format(store_id=store_id), token)
    return token


def routing_version(store_id: int) -> str:
    value = get_redis().get(ROUTING_VERSION_KEY.format(store_id=store_id))
    return value.decode() if value else _set_new_version(store_id)


def routing_tokens(store_id: int, owner_id: int | None = None) -> tuple[str, str | None]:
    """The store's routing version and, given the owner, the owner's catalog version (None without
    one): what routing a paid order's lines is cached under, in one Redis read."""
    keys = [ROUTING_VERSION_KEY.format(store_id=store_id)]
    if owner_id is not None:
        keys.append(catalog_version_key(owner_id))
    values = get_redis().mget(keys)
    routing = values[0].decode() if values[0] else _set_new_version(store_id)
    catalog = (values[1] or b"0").decode() if owner_id is not None else None
    return routing, catalog


def routing_bump(store_id: int) -> None:
    # Now (readers in this transaction see the change) and again on commit, as the menu version.
    _set_new_version(store_id)
    transaction.on_commit(lambda: _set_new_version(store_id))


def station_claims(store_id: int, *, routing: str | None = None) -> Claims:
    """The store's stations in their order (sort order, id): the first claim of a product or a
    category wins. `routing`: the store's routing version, when the caller has read it."""
    key = CLAIMS_CACHE_KEY.format(store_id=store_id, version=routing or routing_version(store_id))
    local = _LOCAL_CLAIMS.get(key)
    if local is not None:
        return local
    claims = cache.get(key)
    if claims is None:
        by_product: dict[int, int] = {}
        by_category: dict[int, int] = {}
        default_id = None
        for station in Station.objects.filter(store_id=store_id).prefetch_related("products", "categories"):
            for product in station.products.all():
                by_product.setdefault(product.pk, station.pk)
            for category in station.categories.all():
                by_category.setdefault(category.pk, station.pk)
            if station.is_default and default_id is None:
                default_id = station.pk
        claims = (by_product, by_category, default_id)
        cache.set(key, claims, CLAIMS_CACHE_SECONDS)
    _LOCAL_CLAIMS.put(key, claims)
    return claims


# The stations that products without a station of their own get through their categories, per
# product (None: the default station), filled as products are routed. Keyed by the routing version
# and the owner's catalog version as well: a product's categories and a category's parent are the
# catalog's (its every save, delete and category link moves that token).
CATEGORY_ROUTES_KEY = "kitchen:category-routes:{store_id}:{routing}:{catalog}"
# The worker's copies of those, under the same key (services._category_stations fills both).
LOCAL_CATEGORY_ROUTES = WorkerMemo(size=32, seconds=LOCAL_CLAIMS_SECONDS)
# Whether the store makes tickets before payment, per channel: read on every placement.
MAKES_BEFORE_PAYMENT_KEY = "kitchen:before-payment:{store_id}:{routing}"
_LOCAL_SWITCHES = WorkerMemo(size=32, seconds=LOCAL_CLAIMS_SECONDS)


def category_routes_key(store_id: int, routing: str, catalog: str) -> str:
    """Under the tokens `routing_tokens` read."""
    return CATEGORY_ROUTES_KEY.format(store_id=store_id, routing=routing, catalog=catalog)


def makes_before_payment(store_id: int) -> tuple[bool, bool]:
    """(POS, kiosk): the store's "make before payment" switches, cached under the routing version
    (every KitchenSettings save or delete moves it)."""
    key = MAKES_BEFORE_PAYMENT_KEY.format(store_id=store_id, routing=routing_version(store_id))
    switches = _LOCAL_SWITCHES.get(key)
    if switches is not None:
        return switches
    switches = cache.get(key)
    if switches is None:
        row = KitchenSettings.objects.filter(store_id=store_id).first()
        switches = (row.make_before_payment_pos, row.make_before_payment_kiosk) if row else (False, False)
        cache.set(key, switches, CLAIMS_CACHE_SECONDS)
    _LOCAL_SWITCHES.put(key, switches)
    return switches


# --- what moves the version ------------------------------------------------------------------------


def _station_changed(sender, instance: Station, **kwargs) -> None:
    routing_bump(instance.store_id)


def _links_changed(sender, instance, action: str, reverse: bool, pk_set=None, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if not reverse:
        routing_bump(instance.store_id)
        return
    # From the product's or category's side (through the link table): the stations named.
    for store_id in set(Station.objects.filter(pk__in=pk_set or ()).values_list("store_id", flat=True)):
        routing_bump(store_id)


post_save.connect(_station_changed, sender=Station, dispatch_uid="kitchen.routing.station_saved")
post_save.connect(_station_changed, sender=KitchenSettings, dispatch_uid="kitchen.routing.settings_saved")
post_delete.connect(_station_changed, sender=KitchenSettings, dispatch_uid="kitchen.routing.settings_deleted")
post_delete.connect(_station_changed, sender=Station, dispatch_uid="kitchen.routing.station_deleted")
m2m_changed.connect(_links_changed, sender=Station.products.through, dispatch_uid="kitchen.routing.products")
m2m_changed.connect(_links_changed, sender=Station.categories.through, dispatch_uid="kitchen.routing.categories")
