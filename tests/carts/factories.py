"""Menu set-up for cart and order tests: catalog products listed in a store, with option groups.

Written against the models directly (not the catalog/inventory test helpers) so these tests do not
depend on another app's test code."""

from __future__ import annotations

from dataclasses import dataclass, field

from apps.catalog.models import Option, OptionGroup, Product, ProductOptionGroup
from apps.inventory.models import StoreOptionStatus, StoreProduct


@dataclass
class Menu:
    product: Product
    listing: StoreProduct
    groups: dict[str, OptionGroup] = field(default_factory=dict)
    options: dict[str, Option] = field(default_factory=dict)


def listed_product(
    store,
    name: str = "아메리카노",
    price: int = 4500,
    *,
    tax_type: str = "TAXABLE",
    track_stock: bool = False,
    stock: int = 0,
    sold_out: bool = False,
    groups: list[dict] | None = None,
) -> Menu:
    """groups: [{"name", "min", "max", "required", "options": [(name, delta, sold_out_in_store)]}]"""
    product = Product.objects.create(owner=store.owner, name=name, base_price=price, tax_type=tax_type)
    listing = StoreProduct.objects.create(
        store=store, product=product, track_stock=track_stock, stock_quantity=stock, is_sold_out=sold_out
    )
    menu = Menu(product=product, listing=listing)
    for index, spec in enumerate(groups or []):
        group = OptionGroup.objects.create(
            owner=store.owner,
            name=spec["name"],
            min_choices=spec.get("min", 0),
            max_choices=spec.get("max", 1),
            required=spec.get("required", False),
        )
        ProductOptionGroup.objects.create(product=product, group=group, sort_order=index)
        menu.groups[spec["name"]] = group
        for position, (option_name, delta, option_sold_out) in enumerate(spec.get("options", [])):
            option = Option.objects.create(group=group, name=option_name, price_delta=delta, sort_order=position)
            if option_sold_out:
                StoreOptionStatus.objects.create(store=store, option=option, is_sold_out=True)
            menu.options[option_name] = option
    return menu


def coffee_with_options(store, **kwargs) -> Menu:
    """A latte: size required (exactly one), up to two extras, one extra sold out in this store."""
    return listed_product(
        store,
        kwargs.pop("name", "카페라떼"),
        kwargs.pop("price", 5000),
        groups=[
            {"name": "사이즈", "min": 1, "max": 1, "required": True, "options": [("R", 0, False), ("L", 500, False)]},
            {
                "name": "추가",
                "min": 0,
                "max": 2,
                "options": [("샷", 500, False), ("시럽", 300, False), ("휘핑", 700, True)],
            },
        ],
        **kwargs,
    )
