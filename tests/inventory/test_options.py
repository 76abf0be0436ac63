"""Option validation rules: unknown options, required groups, min/max, sold-out (global and per store)."""

import pytest

from apps.core.errors import DomainError
from apps.inventory import selectors, services
from apps.inventory.models import StoreOptionStatus
from tests.catalog.factories import OptionFactory, OptionGroupFactory, ProductFactory
from tests.factories import StoreFactory
from tests.inventory.factories import StoreProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def drink(store):
    owner = store.owner
    size = OptionGroupFactory(owner=owner, name="사이즈", required=True, min_choices=1, max_choices=1)
    shots = OptionGroupFactory(owner=owner, name="샷 추가", min_choices=0, max_choices=3)
    syrup = OptionGroupFactory(owner=owner, name="시럽", required=True, min_choices=0, max_choices=2)
    opts = {
        "regular": OptionFactory(group=size, name="레귤러"),
        "large": OptionFactory(group=size, name="라지", price_delta=500),
        "shot1": OptionFactory(group=shots, name="샷1", price_delta=500),
        "shot2": OptionFactory(group=shots, name="샷2", price_delta=500),
        "shot3": OptionFactory(group=shots, name="샷3", price_delta=500),
        "shot4": OptionFactory(group=shots, name="샷4", price_delta=500),
        "vanilla": OptionFactory(group=syrup, name="바닐라", price_delta=300),
        "hazelnut": OptionFactory(group=syrup, name="헤이즐넛", price_delta=300),
        "caramel": OptionFactory(group=syrup, name="카라멜", price_delta=300),
    }
    product = ProductFactory(owner=owner, name="아메리카노", option_groups=[size, shots, syrup])
    StoreProductFactory(store=store, product=product)
    return product, opts


def _listing(store, product):
    return selectors.sellable_listings(store, [product.pk])[product.pk]


def _error(store, product, ids):
    with pytest.raises(DomainError) as excinfo:
        selectors.validate_options(_listing(store, product), ids)
    return excinfo.value


def test_valid_choice_returns_options_in_menu_order(store, drink):
    # given a drink with a required size, optional shots and a "required with min 0" syrup group
    product, o = drink
    # when the customer picks a large, two shots and vanilla (in any order)
    chosen = selectors.validate_options(
        _listing(store, product), [o["vanilla"].pk, o["shot2"].pk, o["large"].pk, o["shot1"].pk]
    )
    # then the options come back in group/option order with their price deltas
    assert [v.name for v in chosen] == ["라지", "샷1", "샷2", "바닐라"]
    assert sum(v.price_delta for v in chosen) == 1800


def test_required_group_missing_is_422(store, drink):
    product, o = drink
    err = _error(store, product, [o["vanilla"].pk])
    assert (err.code, err.status) == ("INVALID_OPTIONS", 422)
    assert "사이즈" in err.message


def test_required_flag_with_min_zero_still_needs_one(store, drink):
    product, o = drink
    err = _error(store, product, [o["regular"].pk])
    assert err.code == "INVALID_OPTIONS" and "시럽" in err.message


def test_above_max_is_422(store, drink):
    product, o = drink
    err = _error(store, product, [o["regular"].pk, o["vanilla"].pk] + [o[f"shot{i}"].pk for i in range(1, 5)])
    assert err.code == "INVALID_OPTIONS" and "최대 3" in err.message
    err = _error(store, product, [o["regular"].pk, o["large"].pk, o["vanilla"].pk])
    assert err.code == "INVALID_OPTIONS" and "사이즈" in err.message


def test_below_min_is_422(store):
    group = OptionGroupFactory(owner=store.owner, name="토핑", min_choices=2, max_choices=3)
    options = [OptionFactory(group=group) for _ in range(3)]
    product = ProductFactory(owner=store.owner, option_groups=[group])
    StoreProductFactory(store=store, product=product)
    err = _error(store, product, [options[0].pk])
    assert err.code == "INVALID_OPTIONS" and "2개 이상" in err.message
    assert len(selectors.validate_options(_listing(store, product), [options[0].pk, options[2].pk])) == 2


def test_unknown_or_foreign_option_is_422(store, drink):
    product, o = drink
    other_group = OptionGroupFactory(owner=store.owner)
    stranger = OptionFactory(group=other_group)
    err = _error(store, product, [o["regular"].pk, o["vanilla"].pk, stranger.pk])
    assert err.code == "INVALID_OPTIONS" and err.details["unknownOptionIds"] == [stranger.pk]
    assert _error(store, product, ["x"]).code == "INVALID_OPTIONS"
    assert _error(store, product, [o["regular"].pk, o["regular"].pk, o["vanilla"].pk]).code == "INVALID_OPTIONS"


def test_globally_sold_out_option_is_409(store, drink):
    product, o = drink
    o["large"].is_sold_out = True
    o["large"].save()
    listing = _listing(store, product)
    assert [opt.available for opt in listing.option_groups[0].options] == [True, False]
    err = _error(store, product, [o["large"].pk, o["vanilla"].pk])
    assert (err.code, err.status) == ("OPTION_SOLD_OUT", 409)
    assert "라지" in err.message


def test_option_sold_out_in_one_store_only(store, drink):
    # given two stores of the same owner sharing the drink
    product, o = drink
    other_store = StoreFactory(owner=store.owner)
    StoreProductFactory(store=other_store, product=product)
    # when vanilla runs out in the first store only
    services.option_set_sold_out(store, o["vanilla"], sold_out=True)
    # then it is refused there and still sold in the other store
    assert _error(store, product, [o["regular"].pk, o["vanilla"].pk]).code == "OPTION_SOLD_OUT"
    chosen = selectors.validate_options(_listing(other_store, product), [o["regular"].pk, o["vanilla"].pk])
    assert len(chosen) == 2
    # and back on sale once it is switched back
    services.option_set_sold_out(store, o["vanilla"], sold_out=False)
    assert StoreOptionStatus.objects.get(store=store, option=o["vanilla"]).is_sold_out is False
    assert len(selectors.validate_options(_listing(store, product), [o["regular"].pk, o["vanilla"].pk])) == 2


def test_option_of_another_owner_cannot_be_sold_out_in_my_store(store, drink):
    foreign = OptionFactory()
    with pytest.raises(DomainError) as excinfo:
        services.option_set_sold_out(store, foreign, sold_out=True)
    assert excinfo.value.status == 404
