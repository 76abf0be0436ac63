"""factory_boy factories for the admin-registered models that no app's tests build with a factory
(read-only financial records, raw webhooks, allauth's and Django's own tables). The cross-owner admin
test finds every DjangoModelFactory under tests/ by its model, these included."""

from datetime import date

import factory
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from apps.discounts.models import Channel
from apps.inventory.models import StockMovement, StoreOptionStatus
from apps.orders.models import Order, OrderStatus
from apps.payments.models import Payment, PaymentMethod, PaymentStatus, Refund, WebhookEvent
from apps.settlement.models import DailySummary, Settlement
from apps.tables.models import Area, Table
from tests.catalog.factories import OptionFactory
from tests.factories import OwnerFactory, StoreFactory
from tests.inventory.factories import StoreProductFactory

BUSINESS_DATE = date(2026, 11, 30)


class GroupFactory(DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"group-{n}")


class EmailAddressFactory(DjangoModelFactory):
    class Meta:
        model = EmailAddress

    user = factory.SubFactory(OwnerFactory)
    email = factory.LazyAttribute(lambda o: o.user.email)
    verified = True
    primary = True


class SocialAppFactory(DjangoModelFactory):
    class Meta:
        model = SocialApp

    provider = "kakao"
    name = factory.Sequence(lambda n: f"kakao-{n}")
    client_id = factory.Sequence(lambda n: f"client-{n}")


class SocialAccountFactory(DjangoModelFactory):
    class Meta:
        model = SocialAccount

    user = factory.SubFactory(OwnerFactory)
    provider = "kakao"
    uid = factory.Sequence(lambda n: f"{9000 + n}")


class SocialTokenFactory(DjangoModelFactory):
    class Meta:
        model = SocialToken

    account = factory.SubFactory(SocialAccountFactory)
    app = factory.SubFactory(SocialAppFactory)
    token = factory.Sequence(lambda n: f"token-{n}")


class StockMovementFactory(DjangoModelFactory):
    class Meta:
        model = StockMovement

    store_product = factory.SubFactory(StoreProductFactory)
    reason = StockMovement.Reason.choices[0][0]
    quantity = 5
    quantity_after = 5


class StoreOptionStatusFactory(DjangoModelFactory):
    class Meta:
        model = StoreOptionStatus

    store = factory.SubFactory(StoreFactory)
    option = factory.SubFactory(OptionFactory, group__owner=factory.SelfAttribute("...store.owner"))


class AreaFactory(DjangoModelFactory):
    class Meta:
        model = Area

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"홀{n}")


class TableFactory(DjangoModelFactory):
    class Meta:
        model = Table

    store = factory.SubFactory(StoreFactory)
    area = factory.SubFactory(AreaFactory, store=factory.SelfAttribute("..store"))
    name = factory.Sequence(lambda n: f"{n + 1}번")


class OrderFactory(DjangoModelFactory):
    """A paid POS order of 4,500원 with no lines (the admin pages need only the row)."""

    class Meta:
        model = Order

    store = factory.SubFactory(StoreFactory)
    channel = Channel.POS
    status = OrderStatus.PAID
    business_date = BUSINESS_DATE
    order_number = factory.Sequence(lambda n: n + 1)
    gross_amount = 4_500
    total_amount = 4_500
    taxable_amount = 4_500


class PaymentMethodFactory(DjangoModelFactory):
    class Meta:
        model = PaymentMethod

    store = factory.SubFactory(StoreFactory)
    kind = PaymentMethod.Kind.CASH
    name = "현금"
    channels = ["POS"]


class PaymentFactory(DjangoModelFactory):
    class Meta:
        model = Payment

    order = factory.SubFactory(OrderFactory)
    method = factory.SubFactory(PaymentMethodFactory, store=factory.SelfAttribute("..order.store"))
    business_date = factory.SelfAttribute("order.business_date")
    kind = factory.SelfAttribute("method.kind")
    amount = factory.SelfAttribute("order.total_amount")
    status = PaymentStatus.DONE


class RefundFactory(DjangoModelFactory):
    class Meta:
        model = Refund

    payment = factory.SubFactory(PaymentFactory)
    amount = 1_000
    reason = "고객 요청"


class WebhookEventFactory(DjangoModelFactory):
    class Meta:
        model = WebhookEvent

    provider = "toss"
    dedup_key = factory.Sequence(lambda n: f"dedup-{n}")
    event_type = "PAYMENT_STATUS_CHANGED"
    payload = factory.LazyFunction(lambda: {"eventType": "PAYMENT_STATUS_CHANGED"})


class SettlementFactory(DjangoModelFactory):
    class Meta:
        model = Settlement

    store = factory.SubFactory(StoreFactory)
    period_start = date(2026, 10, 1)
    period_end = date(2026, 10, 31)


class DailySummaryFactory(DjangoModelFactory):
    class Meta:
        model = DailySummary

    store = factory.SubFactory(StoreFactory)
    business_date = BUSINESS_DATE
