"""Admin pages of catalog and inventory: tenancy (another owner's rows are 404 / absent), quick
edits through the stock ledger, bulk actions, stock adjustment, CSV import/export, owner auto-set."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.catalog.models import Category, Option, OptionGroup, Product
from apps.inventory.models import StockMovement, StoreOptionStatus, StoreProduct
from tests.catalog.factories import CategoryFactory, OptionFactory, OptionGroupFactory, ProductFactory, image_bytes
from tests.factories import OwnerFactory, StoreFactory
from tests.inventory.factories import StoreProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(store):
    owner = store.owner
    group = OptionGroupFactory(owner=owner, name="내 사이즈")
    option = OptionFactory(group=group, name="내 라지")
    category = CategoryFactory(owner=owner, name="내 커피")
    product = ProductFactory(owner=owner, name="내 라떼", option_groups=[group])
    product.categories.add(category)
    listing = StoreProductFactory(store=store, product=product, track_stock=True, stock_quantity=5)
    status = StoreOptionStatus.objects.create(store=store, option=option)
    return {
        "category": category,
        "optiongroup": group,
        "product": product,
        "storeproduct": listing,
        "storeoptionstatus": status,
        "option": option,
    }


@pytest.fixture
def theirs():
    stranger = StoreFactory(owner=OwnerFactory())
    owner = stranger.owner
    group = OptionGroupFactory(owner=owner, name="남의 사이즈")
    option = OptionFactory(group=group, name="남의 라지")
    category = CategoryFactory(owner=owner, name="남의 커피")
    product = ProductFactory(owner=owner, name="남의 라떼", option_groups=[group])
    product.categories.add(category)
    listing = StoreProductFactory(store=stranger, product=product, track_stock=True, stock_quantity=7)
    status = StoreOptionStatus.objects.create(store=stranger, option=option)
    movement = StockMovement.objects.create(store_product=listing, reason="RECEIVE", quantity=7, quantity_after=7)
    return {
        "category": category,
        "optiongroup": group,
        "product": product,
        "storeproduct": listing,
        "storeoptionstatus": status,
        "stockmovement": movement,
        "store": stranger,
    }


MODELS = [
    ("catalog", "category"),
    ("catalog", "optiongroup"),
    ("catalog", "product"),
    ("inventory", "storeproduct"),
    ("inventory", "storeoptionstatus"),
    ("inventory", "stockmovement"),
]


@pytest.mark.parametrize(("app", "model"), MODELS)
def test_changelist_shows_only_my_rows(owner_client, mine, theirs, app, model):
    response = owner_client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "남의" not in page  # neither rows nor filter choices of another owner
    assert f">{theirs['store'].name}<" not in page


@pytest.mark.parametrize(("app", "model"), MODELS)
def test_another_owners_object_is_404_on_change_and_delete(owner_client, mine, theirs, app, model):
    pk = theirs[model].pk
    assert owner_client.get(reverse(f"admin:{app}_{model}_change", args=[pk])).status_code == 404
    response = owner_client.post(reverse(f"admin:{app}_{model}_delete", args=[pk]), {"post": "yes"})
    assert response.status_code in (403, 404)
    assert type(theirs[model]).objects.filter(pk=pk).exists()


@pytest.mark.parametrize(("app", "model"), [m for m in MODELS if m[1] != "stockmovement"])
def test_my_pages_open(owner_client, mine, app, model):
    assert owner_client.get(reverse(f"admin:{app}_{model}_change", args=[mine[model].pk])).status_code == 200
    assert owner_client.get(reverse(f"admin:{app}_{model}_add")).status_code == 200


def test_add_forms_offer_only_my_choices(owner_client, mine, theirs):
    for url in (
        reverse("admin:catalog_product_add"),
        reverse("admin:inventory_storeproduct_add"),
        reverse("admin:inventory_storeoptionstatus_add"),
        reverse("admin:catalog_category_add"),
    ):
        page = owner_client.get(url).content.decode()
        assert "남의" not in page and theirs["store"].name not in page


def test_ledger_is_read_only_for_owners(owner_client, mine):
    movement = StockMovement.objects.create(
        store_product=mine["storeproduct"], reason="ADJUST", quantity=1, quantity_after=6
    )
    assert owner_client.get(reverse("admin:inventory_stockmovement_change", args=[movement.pk])).status_code == 200
    assert owner_client.get(reverse("admin:inventory_stockmovement_add")).status_code == 403


def test_owner_is_set_automatically_and_hidden(owner_client, owner, django_capture_on_commit_callbacks):
    page = owner_client.get(reverse("admin:catalog_product_add")).content.decode()
    assert 'name="owner"' not in page
    group = OptionGroupFactory(owner=owner, name="샷")
    image = SimpleUploadedFile("p.png", image_bytes("PNG", (400, 300)), content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            reverse("admin:catalog_product_add"),
            {
                "name": "바닐라 라떼",
                "base_price": "5500",
                "tax_type": "TAXABLE",
                "is_active": "on",
                "image": image,
                "productoptiongroup_set-TOTAL_FORMS": "1",
                "productoptiongroup_set-INITIAL_FORMS": "0",
                "productoptiongroup_set-0-group": str(group.pk),
                "productoptiongroup_set-0-sort_order": "0",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    product = Product.objects.get(name="바닐라 라떼")
    assert product.owner == owner
    assert list(product.option_groups.all()) == [group]
    assert product.image_status == "READY" and product.thumbnail.name
    changelist = owner_client.get(reverse("admin:catalog_product_changelist")).content.decode()
    assert product.thumbnail.url in changelist  # image preview


def test_admin_refuses_a_bomb_with_a_clear_message(owner_client):
    import struct
    import zlib

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 1, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\0" * 10))
        + chunk(b"IEND", b"")
    )
    response = owner_client.post(
        reverse("admin:catalog_product_add"),
        {
            "name": "폭탄",
            "base_price": "1",
            "tax_type": "TAXABLE",
            "image": SimpleUploadedFile("b.png", bomb),
            "productoptiongroup_set-TOTAL_FORMS": "0",
            "productoptiongroup_set-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "압축 폭탄" in response.content.decode()
    assert not Product.objects.filter(name="폭탄").exists()


def test_duplicate_sku_is_a_form_error_not_a_500(owner_client, owner):
    ProductFactory(owner=owner, sku="SKU-1")
    response = owner_client.post(
        reverse("admin:catalog_product_add"),
        {
            "name": "x",
            "base_price": "1",
            "tax_type": "TAXABLE",
            "sku": "SKU-1",
            "productoptiongroup_set-TOTAL_FORMS": "0",
            "productoptiongroup_set-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and "같은 값의 상품이 이미 있습니다" in response.content.decode()


def test_option_group_with_inline_options(owner_client, owner):
    response = owner_client.post(
        reverse("admin:catalog_optiongroup_add"),
        {
            "name": "얼음",
            "min_choices": "1",
            "max_choices": "1",
            "required": "on",
            "options-TOTAL_FORMS": "2",
            "options-INITIAL_FORMS": "0",
            "options-0-name": "보통",
            "options-0-price_delta": "0",
            "options-0-sort_order": "0",
            "options-1-name": "많이",
            "options-1-price_delta": "0",
            "options-1-sort_order": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    group = OptionGroup.objects.get(name="얼음")
    assert group.owner == owner and list(Option.objects.filter(group=group).values_list("name", flat=True)) == [
        "보통",
        "많이",
    ]
    bad = owner_client.post(
        reverse("admin:catalog_optiongroup_add"),
        {
            "name": "잘못",
            "min_choices": "3",
            "max_choices": "1",
            "options-TOTAL_FORMS": "0",
            "options-INITIAL_FORMS": "0",
        },
    )
    assert bad.status_code == 200 and not OptionGroup.objects.filter(name="잘못").exists()


def _changelist_post(client, listing, **changes):
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(listing.pk),
        "form-0-price_override": "" if listing.price_override is None else str(listing.price_override),
        "form-0-stock_quantity": str(listing.stock_quantity),
        "form-0-recommended_rank": "" if listing.recommended_rank is None else str(listing.recommended_rank),
        "_save": "저장",
    }
    if listing.is_sold_out:
        data["form-0-is_sold_out"] = "on"
    data.update({f"form-0-{k}": v for k, v in changes.items()})
    return client.post(reverse("admin:inventory_storeproduct_changelist"), data)


def test_quick_edit_of_stock_goes_through_the_ledger(owner_client, owner, mine):
    listing = mine["storeproduct"]
    response = _changelist_post(owner_client, listing, stock_quantity="12", price_override="4900", recommended_rank="1")
    assert response.status_code == 302
    listing.refresh_from_db()
    assert (listing.stock_quantity, listing.price_override, listing.recommended_rank) == (12, 4900, 1)
    movement = StockMovement.objects.get(store_product=listing)
    assert (movement.reason, movement.quantity, movement.quantity_after, movement.created_by) == (
        "ADJUST",
        7,
        12,
        owner,
    )


def test_bulk_actions(owner_client, store, mine):
    other = StoreProductFactory(store=store)
    url = reverse("admin:inventory_storeproduct_changelist")
    ids = [str(mine["storeproduct"].pk), str(other.pk)]
    owner_client.post(url, {"action": "mark_sold_out", "_selected_action": ids})
    assert StoreProduct.objects.filter(is_sold_out=True).count() == 2
    owner_client.post(url, {"action": "mark_available", "_selected_action": ids})
    assert StoreProduct.objects.filter(is_sold_out=True).count() == 0
    owner_client.post(url, {"action": "mark_sold_out_today", "_selected_action": ids})
    assert StoreProduct.objects.filter(sold_out_until__isnull=False).count() == 2
    owner_client.post(url, {"action": "recommend", "_selected_action": ids})
    assert sorted(StoreProduct.objects.values_list("recommended_rank", flat=True)) == [1, 2]


def test_bulk_action_cannot_touch_another_owners_listing(owner_client, mine, theirs):
    url = reverse("admin:inventory_storeproduct_changelist")
    owner_client.post(url, {"action": "mark_sold_out", "_selected_action": [str(theirs["storeproduct"].pk)]})
    theirs["storeproduct"].refresh_from_db()
    assert theirs["storeproduct"].is_sold_out is False


def test_stock_adjustment_action_with_reason(owner_client, owner, mine):
    listing = mine["storeproduct"]
    url = reverse("admin:inventory_storeproduct_changelist")
    base = {"action": "adjust_stock", "_selected_action": [str(listing.pk)]}
    form_page = owner_client.post(url, base)
    assert form_page.status_code == 200 and "재고 조정" in form_page.content.decode()
    owner_client.post(url, {**base, "apply": "1", "quantity": "-2", "reason": "ADJUST", "note": "파손"})
    owner_client.post(url, {**base, "apply": "1", "quantity": "10", "reason": "RECEIVE", "note": "입고"})
    listing.refresh_from_db()
    assert listing.stock_quantity == 13
    assert list(StockMovement.objects.order_by("id").values_list("reason", "quantity", "note")) == [
        ("ADJUST", -2, "파손"),
        ("RECEIVE", 10, "입고"),
    ]
    # below zero is refused with a message, nothing changes
    response = owner_client.post(
        url, {**base, "apply": "1", "quantity": "-99", "reason": "ADJUST", "note": "x"}, follow=True
    )
    assert "0보다 작아질 수 없습니다" in response.content.decode()
    listing.refresh_from_db()
    assert listing.stock_quantity == 13


def test_csv_export_and_import(owner_client, owner, mine, theirs):
    exported = owner_client.get(reverse("admin:catalog_product_export"))
    text = exported.content.decode("utf-8-sig")
    assert "내 라떼" in text and "남의 라떼" not in text
    csv_text = (
        "name,base_price,sku,categories,tax_type\n흑임자 라떼,6000,BLK-1,내 커피,TAXABLE\n우유,2000,MILK-1,,TAX_FREE\n"
    )
    response = owner_client.post(
        reverse("admin:catalog_product_import"), {"file": SimpleUploadedFile("p.csv", csv_text.encode())}
    )
    assert response.status_code == 302
    assert Product.objects.get(sku="BLK-1").categories.get() == mine["category"]
    assert Product.objects.get(sku="MILK-1").tax_type == "TAX_FREE"
    # an update by SKU and a bad row: all or nothing
    bad = "name,base_price,sku\n흑임자 라떼,6500,BLK-1\n잘못,비쌈,BAD-1\n"
    response = owner_client.post(
        reverse("admin:catalog_product_import"), {"file": SimpleUploadedFile("p.csv", bad.encode())}
    )
    assert response.status_code == 422 and "3행" in response.content.decode()
    assert Product.objects.get(sku="BLK-1").base_price == 6000
    good = "name,base_price,sku\n흑임자 라떼,6500,BLK-1\n"
    owner_client.post(reverse("admin:catalog_product_import"), {"file": SimpleUploadedFile("p.csv", good.encode())})
    assert Product.objects.get(sku="BLK-1").base_price == 6500
    # a category of another owner is unknown here
    foreign = "name,base_price,categories\n x,1,남의 커피\n"
    response = owner_client.post(
        reverse("admin:catalog_product_import"), {"file": SimpleUploadedFile("p.csv", foreign.encode())}
    )
    assert response.status_code == 422
    assert not Category.objects.filter(owner=owner, name="남의 커피").exists()
