"""Demo payment methods. The kiosk's "카운터에서 결제" (pay at the counter) is deliberately not a
method: the kiosk places the order and leaves it PENDING_PAYMENT, and the POS settles it with cash or
the card terminal (a kiosk cannot take cash, so a CASH method on the kiosk would be a lie)."""

from __future__ import annotations

from django.conf import settings

from .models import PaymentMethod

K = PaymentMethod.Kind


def default_methods() -> list[dict]:
    card_kind = K.TOSS if settings.TOSS_SECRET_KEY and settings.TOSS_CLIENT_KEY else K.SIMULATED
    card_name = "카드" if card_kind == K.TOSS else "카드(시뮬레이션)"
    return [
        {"kind": K.CASH, "name": "현금", "channels": ["POS"], "fee_rate_bp": 0, "sort_order": 1},
        {"kind": K.CARD_TERMINAL, "name": "카드 단말기", "channels": ["POS"], "fee_rate_bp": 250, "sort_order": 2},
        {"kind": card_kind, "name": card_name, "channels": ["POS", "KIOSK"], "fee_rate_bp": 250, "sort_order": 3},
    ]


def seed(store, stdout) -> None:
    for spec in default_methods():
        _method, created = PaymentMethod.objects.get_or_create(
            store=store, kind=spec["kind"], defaults={k: v for k, v in spec.items() if k != "kind"}
        )
        if created:
            stdout.write(f"  결제 수단: {spec['name']}")
