"""The cart state machine in Redis: allowed and refused moves, lines only in ACTIVE, TTLs, versions."""

import time

import pytest
from django.utils import translation

from apps.carts import cart as cart_store
from apps.carts import services
from apps.carts.cart import TRANSITIONS, CartState
from apps.core.errors import DomainError
from apps.core.redis import get_redis
from tests.concurrency import outcomes, run_together

ALL_STATES = CartState.ALL
ALLOWED = [(a, b) for a in ALL_STATES for b in sorted(TRANSITIONS[a])]
REFUSED = [(a, b) for a in ALL_STATES for b in ALL_STATES if b not in TRANSITIONS[a]]


def cart_in(state: str, *, store_id=1, device_id=1, channel="POS"):
    """A cart driven into `state` through allowed moves only."""
    cart = cart_store.create(store_id=store_id, device_id=device_id, channel=channel)
    path = {
        CartState.ACTIVE: [],
        CartState.CHECKOUT: [CartState.CHECKOUT],
        CartState.PAID: [CartState.CHECKOUT, CartState.PAID],
        CartState.ABANDONED: [CartState.ABANDONED],
    }[state]
    for step in path:
        cart = cart_store.compare_and_set(cart, to_state=step)
    return cart


def test_the_table_is_the_design():
    assert ALLOWED == [
        ("ACTIVE", "ABANDONED"),
        ("ACTIVE", "CHECKOUT"),
        ("CHECKOUT", "ACTIVE"),
        ("CHECKOUT", "PAID"),
    ]


@pytest.mark.parametrize(("from_state", "to_state"), ALLOWED)
def test_allowed_move_bumps_version(from_state, to_state):
    # given a cart in from_state
    cart = cart_in(from_state)
    # when it moves
    moved = cart_store.compare_and_set(cart, to_state=to_state)
    # then the state is stored and the version went up by one
    assert moved.state == to_state
    assert moved.version == cart.version + 1
    assert cart_store.load(cart.id).state == to_state


@pytest.mark.parametrize(("from_state", "to_state"), REFUSED)
def test_refused_move_is_409_and_changes_nothing(from_state, to_state):
    cart = cart_in(from_state)
    with pytest.raises(DomainError) as err:
        cart_store.compare_and_set(cart, to_state=to_state)
    assert err.value.status == 409
    assert err.value.code == "CART_ILLEGAL_TRANSITION"
    assert "(으)로" not in err.value.message
    assert from_state not in err.value.message and to_state not in err.value.message
    stored = cart_store.load(cart.id)
    assert (stored.state, stored.version) == (from_state, cart.version)


@pytest.mark.parametrize(
    ("from_state", "to_state", "korean_text", "english_text"),
    [
        (  # 결제 완료: a vowel takes 로
            CartState.ACTIVE,
            CartState.PAID,
            "장바구니 상태를 사용 중에서 결제 완료로 바꿀 수 없습니다.",
            "Can't change the cart status from Active to Paid.",
        ),
        (  # 결제 중: ㅇ takes 으로
            CartState.ABANDONED,
            CartState.CHECKOUT,
            "장바구니 상태를 폐기에서 결제 중으로 바꿀 수 없습니다.",
            "Can't change the cart status from Abandoned to Checkout.",
        ),
    ],
)
def test_refused_move_message_names_the_state_labels(from_state, to_state, korean_text, english_text):
    # given a cart in from_state
    cart = cart_in(from_state)
    # when it is moved to a state the table does not allow, once in Korean and once in English
    with translation.override("ko"), pytest.raises(DomainError) as korean:
        cart_store.compare_and_set(cart, to_state=to_state)
    with translation.override("en"), pytest.raises(DomainError) as english:
        cart_store.compare_and_set(cart, to_state=to_state)
    # then both name the states by their label (Korean with the particle the target takes), never
    # by the code, which stays in the error's code for API clients
    assert (korean.value.code, korean.value.message) == ("CART_ILLEGAL_TRANSITION", korean_text)
    assert (english.value.code, english.value.message) == ("CART_ILLEGAL_TRANSITION", english_text)
    assert korean.value.details == english.value.details == {}


@pytest.mark.parametrize("state", [CartState.CHECKOUT, CartState.PAID, CartState.ABANDONED])
def test_lines_change_only_in_active(state):
    cart = cart_in(state)
    with pytest.raises(DomainError) as err:
        cart_store.compare_and_set(cart, lines=[{"lineId": "x"}])
    assert (err.value.status, err.value.code) == (409, "CART_NOT_ACTIVE")
    assert cart_store.load(cart.id).lines == []


def test_stale_version_is_a_conflict():
    # given two readers of the same cart
    cart = cart_in(CartState.ACTIVE)
    first = cart_store.compare_and_set(cart, lines=[{"lineId": "a"}])
    # when the second writes from its stale read
    with pytest.raises(DomainError) as err:
        cart_store.compare_and_set(cart, lines=[{"lineId": "b"}])
    # then it loses, and the first write stands
    assert (err.value.status, err.value.code) == (409, "CART_VERSION_CONFLICT")
    assert err.value.details == {"state": "ACTIVE", "version": first.version}
    assert cart_store.load(cart.id).lines == [{"lineId": "a"}]


def test_line_write_after_checkout_from_a_stale_read_is_not_active():
    cart = cart_in(CartState.ACTIVE)
    cart_store.compare_and_set(cart, to_state=CartState.CHECKOUT)
    with pytest.raises(DomainError) as err:
        cart_store.compare_and_set(cart, lines=[{"lineId": "late"}])
    assert err.value.code == "CART_NOT_ACTIVE"


def test_two_checkouts_from_one_read_only_one_wins():
    """Real Redis, real threads: the Lua CAS lets exactly one of many racing moves through."""
    cart = cart_in(CartState.ACTIVE)
    results = [
        "won" if r == "ok" else r
        for r in outcomes(
            run_together([lambda: cart_store.compare_and_set(cart, to_state=CartState.CHECKOUT) for _ in range(10)])
        )
    ]
    assert results.count("won") == 1
    assert results.count("CART_VERSION_CONFLICT") == 9
    assert cart_store.load(cart.id).version == cart.version + 1


def test_unknown_or_garbage_cart_is_none():
    assert cart_store.load("nope") is None
    assert cart_store.load("") is None
    assert cart_store.load("x" * 200) is None


@pytest.mark.parametrize(("channel", "ttl"), [("POS", 12 * 3600), ("KIOSK", 15 * 60), ("TABLE", 15 * 60)])
def test_ttl_per_channel(channel, ttl):
    cart = cart_store.create(store_id=1, device_id=1, channel=channel)
    assert ttl - 5 <= cart_store.ttl_seconds(cart.id) <= ttl


def test_every_write_refreshes_the_ttl():
    cart = cart_store.create(store_id=1, device_id=1, channel="KIOSK")
    get_redis().expire(cart_store.cart_key(cart.id), 10)
    cart_store.compare_and_set(cart, lines=[])
    assert cart_store.ttl_seconds(cart.id) > 800


def test_checkout_outlives_the_pending_order(settings):
    settings.ORDER_PENDING_EXPIRY_MINUTES = 15
    cart = cart_in(CartState.CHECKOUT, channel="KIOSK")
    assert cart_store.ttl_seconds(cart.id) > 15 * 60


def test_idle_cart_expires(settings):
    # given a kiosk cart with a one-second idle TTL
    settings.CART_TTL_SECONDS = {"KIOSK": 1}
    cart = cart_store.create(store_id=1, device_id=1, channel="KIOSK")
    assert cart_store.load(cart.id) is not None
    # when it sits idle past its TTL
    time.sleep(1.3)
    # then it is gone, and writing to it is a 404
    assert cart_store.load(cart.id) is None
    with pytest.raises(DomainError) as err:
        cart_store.compare_and_set(cart, lines=[])
    assert err.value.status == 404


@pytest.mark.django_db
def test_expired_cart_is_404_through_the_service(settings, kiosk_device):
    settings.CART_TTL_SECONDS = {"KIOSK": 1}
    cart = services.cart_create(store=kiosk_device.store, device=kiosk_device)
    time.sleep(1.3)
    with pytest.raises(DomainError) as err:
        services.cart_get(cart.id, device=kiosk_device)
    assert (err.value.status, err.value.code) == (404, "CART_NOT_FOUND")
