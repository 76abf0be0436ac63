"""CSV exports (UTF-8 with a BOM so Excel in Korean locales opens Hangul correctly)."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.utils.translation import gettext as _

from .models import Settlement
from .selectors import ProductRow


def _csv(rows: list[list]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerows(rows)
    return buffer.getvalue()


def product_sales_csv(start: date, end: date, rows: list[ProductRow]) -> str:
    header = [
        _("기간 시작"),
        _("기간 끝"),
        _("상품 ID"),
        _("상품명"),
        _("수량"),
        _("총액"),
        _("할인"),
        _("순매출"),
        _("환불 수량"),
        _("환불액"),
        _("환불 후 매출"),
    ]
    body = [
        [
            start,
            end,
            r.product_id or "",
            r.name,
            r.quantity,
            r.gross_amount,
            r.discount_amount,
            r.net_amount,
            r.refunded_quantity,
            r.refunded_amount,
            r.net_after_refunds,
        ]
        for r in rows
    ]
    return _csv([header, *body])


def settlement_csv(settlement: Settlement) -> str:
    header = [
        _("정산 시작일"),
        _("정산일"),
        _("상태"),
        _("결제 수단"),
        _("종류"),
        _("결제 건수"),
        _("결제 금액"),
        _("환불 건수"),
        _("환불액"),
        _("수수료"),
        _("정산 금액"),
    ]
    common = [settlement.period_start, settlement.period_end, settlement.status]
    body = [
        [
            *common,
            line.method_name,
            line.kind,
            line.payment_count,
            line.gross_amount,
            line.refund_count,
            line.refund_amount,
            line.fee_amount,
            line.net_payout,
        ]
        for line in settlement.lines.all()
    ]
    total = [
        *common,
        _("합계"),
        "",
        settlement.payment_count,
        settlement.gross_amount,
        settlement.refund_count,
        settlement.refund_amount,
        settlement.fee_amount,
        settlement.net_payout,
    ]
    return _csv([header, *body, total])
