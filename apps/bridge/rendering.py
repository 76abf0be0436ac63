"""ESC/POS bytes for a print job, rendered with python-escpos (its Dummy printer collects the bytes).

Korean text: the printer is put in its Korean double-byte mode — ESC R 13 (Korea) then FS & (double-
byte characters on) — and text is sent as CP949 (a superset of EUC-KR / KS X 1001, the code Korean
thermal printers carry in ROM). `Printer.Encoding.CP949` skips the mode commands for printers that
boot in Korean mode. A character CP949 lacks becomes "?" rather than failing the job.

Layout: 80 mm paper holds 48 columns of the 12×24 font, 58 mm holds 32; a Hangul syllable takes two
columns, so widths are counted by East Asian width, never by len(). The lines follow the HTML
receipt (apps/pos/templates/pos/receipt.html): store head, order number and time, lines with options
and discounts, totals (bold), VAT split, payments, footer, then the QR of the digital receipt and a cut.
Kitchen tickets print in double width and height so the line can be read from the pass.
"""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext as _
from escpos.printer import Dummy

from .models import Printer, PrintJob

COLUMNS = {80: 48, 58: 32}
ESC = b"\x1b"
GS = b"\x1d"
FS = b"\x1c"
KOREA = ESC + b"R\x0d"  # ESC R 13: the Korean international character set
DOUBLE_BYTE_ON = FS + b"&"
SIZE_NORMAL = GS + b"!\x00"
SIZE_LARGE = GS + b"!\x11"  # double width and height; GS ! applies to double-byte characters too
DRAWER_PIN = 2  # the drawer kick on connector pin 2 (ESC p 0): the usual wiring


def won(amount: int) -> str:
    return f"{amount:,}원"


def text_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def clip(text: str, width: int) -> str:
    out, used = [], 0
    for ch in text:
        w = text_width(ch)
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out)


def two_columns(left: str, right: str, width: int) -> str:
    """`left` and `right` on one line, `right` flush right; a long left side is clipped."""
    room = width - text_width(right) - 1
    left = clip(left, max(room, 0))
    return left + " " * (width - text_width(left) - text_width(right)) + right


class Document:
    """A thin writer over python-escpos's Dummy printer that encodes text for the printer."""

    def __init__(self, printer: Printer):
        self.columns = COLUMNS.get(printer.paper_width, 48)
        self.korean_mode = printer.encoding == Printer.Encoding.KOREAN_FS
        self.out = Dummy()
        self.out.hw("INIT")
        if self.korean_mode:
            self.out._raw(KOREA + DOUBLE_BYTE_ON)

    def line(self, text: str = "", *, bold: bool = False, align: str = "left", large: bool = False) -> None:
        self.out.set(align=align, bold=bold)
        if large:
            self.out._raw(SIZE_LARGE)
        self.out._raw(text.encode("cp949", errors="replace") + b"\n")
        if large:
            self.out._raw(SIZE_NORMAL)
        if bold or align != "left":
            self.out.set(align="left", bold=False)

    def pair(self, left: str, right: str, *, bold: bool = False, large: bool = False) -> None:
        width = self.columns // 2 if large else self.columns
        self.line(two_columns(left, right, width), bold=bold, large=large)

    def rule(self, char: str = "-") -> None:
        self.line(char * self.columns)

    def qr(self, url: str) -> None:
        self.out.set(align="center")
        self.out.qr(url, native=True, size=6 if self.columns >= 48 else 4)
        self.out.set(align="left")

    def drawer(self) -> None:
        self.out.cashdraw(DRAWER_PIN)

    def cut(self) -> bytes:
        self.out.cut()
        return self.out.output


def _head(doc: Document, data: dict) -> None:
    store = data.get("store", {})
    doc.line(store.get("name", ""), bold=True, align="center", large=doc.columns >= 48)
    if store.get("business_number"):
        doc.line(f"{_('사업자번호')} {store['business_number']}", align="center")
    if store.get("address"):
        doc.line(store["address"], align="center")
    if store.get("phone"):
        doc.line(f"{_('전화')} {store['phone']}", align="center")


def _lines(doc: Document, data: dict) -> None:
    # As the HTML receipt: the name with its options, then unit price (options included) × quantity = total.
    for line in data.get("lines", []):
        options = [option["name"] for option in line.get("options", [])]
        name = line["name"] + (f"({', '.join(options)})" if options else "")
        name += f" [{_('면세')}]" if line.get("tax_free") else ""
        doc.line(clip(name, doc.columns))
        doc.pair(f"  {won(line['unit_price'])} × {line['quantity']} =", won(line["gross_amount"]))
        for discount in line.get("discounts", []):
            doc.pair(f"  {discount['name']}", f"-{won(discount['amount'])}")


def _totals(doc: Document, data: dict) -> None:
    totals = data["totals"]
    doc.pair(_("상품 합계"), won(totals["gross"]))
    if totals.get("discount"):
        doc.pair(_("할인 합계"), f"-{won(totals['discount'])}")
    doc.pair(_("합계"), won(totals["total"]), bold=True)
    doc.pair(_("과세 물품가액"), won(totals["supply"]))
    doc.pair(_("부가세"), won(totals["vat"]))
    if totals.get("tax_free"):
        doc.pair(_("면세 물품가액"), won(totals["tax_free"]))


def _order_meta(doc: Document, data: dict, title: str) -> None:
    doc.rule("=")
    doc.line(title, bold=True, align="center")
    doc.pair(_("주문 번호"), f"#{data['order_number']}", bold=True)
    doc.pair(_("일시"), data.get("at", ""))
    doc.pair(_("영업일"), data.get("business_date", ""))
    if data.get("table"):
        doc.pair(_("테이블"), data["table"])
    if data.get("staff"):
        doc.pair(_("담당"), data["staff"])
    doc.rule()


def render_receipt(doc: Document, data: dict, *, qr_url: str) -> None:
    _head(doc, data)
    if data.get("simulated"):
        doc.line(f"*** {_('시뮬레이션 결제 — 실제 청구되지 않음')} ***", bold=True, align="center")
    _order_meta(doc, data, _("영수증") if not data.get("reprint") else f"{_('영수증')} ({_('재출력')})")
    _lines(doc, data)
    doc.rule()
    _totals(doc, data)
    doc.rule()
    for payment in data.get("payments", []):
        label = payment["name"] + (f" [{_('시뮬레이션')}]" if payment.get("simulated") else "")
        doc.pair(label, won(payment["amount"]))
        if payment.get("tendered") is not None:
            doc.pair(f"  {_('받은 금액')}", won(payment["tendered"]))
            doc.pair(f"  {_('거스름돈')}", won(payment.get("change") or 0))
        if payment.get("approval_number"):
            doc.line(f"  {_('승인 번호')} {payment['approval_number']}")
            if payment.get("card_company"):
                doc.line(f"  {_('카드사')} {payment['card_company']}")
            if payment.get("card_number"):
                doc.line(f"  {payment['card_number']}")
            if payment.get("installments") is not None:
                months = payment["installments"]
                plan = _("일시불") if not months else _("%(months)s개월 할부") % {"months": months}
                doc.line(f"  {plan}")
    if data.get("footer"):
        doc.rule()
        for text in data["footer"].splitlines():
            doc.line(text, align="center")
    if qr_url:
        doc.line()
        doc.line(_("휴대폰으로 찍으면 영수증을 볼 수 있습니다"), align="center")
        doc.qr(qr_url)


def render_bill(doc: Document, data: dict) -> None:
    _head(doc, data)
    _order_meta(doc, data, _("중간 계산서"))
    _lines(doc, data)
    doc.rule()
    _totals(doc, data)
    if data.get("paid"):
        doc.pair(_("결제한 금액"), won(data["paid"]))
    doc.pair(_("남은 금액"), won(data.get("due", data["totals"]["total"])), bold=True)
    doc.line(_("* 영수증이 아닙니다 *"), align="center")


def render_kitchen(doc: Document, data: dict) -> None:
    doc.line(data.get("station", ""), bold=True, align="center", large=True)
    doc.line(f"#{data['order_number']}", bold=True, align="center", large=True)
    if data.get("table"):
        doc.line(data["table"], bold=True, align="center", large=True)
    if data.get("round"):
        doc.line(_("%(round)s차 주문") % {"round": data["round"]}, align="center")
    doc.line(f"{data.get('channel', '')} {data.get('at', '')}".strip(), align="center")
    doc.rule("=")
    for line in data.get("lines", []):
        doc.pair(line["name"], f"x{line['quantity']}", bold=True, large=True)
        for option in line.get("options", []):
            doc.line(f"  + {option}", large=True)
        if line.get("note"):
            doc.line(f"  * {line['note']}", large=True)
    if data.get("note"):
        doc.rule()
        doc.line(f"{_('메모')}: {data['note']}", large=True)
    doc.rule("=")


def render_z_report(doc: Document, data: dict) -> None:
    _head(doc, data)
    doc.rule("=")
    doc.line(_("마감 보고서(Z)"), bold=True, align="center", large=doc.columns >= 48)
    doc.pair(_("기기"), data.get("device", ""))
    doc.pair(_("영업일"), data.get("business_date", ""))
    doc.pair(_("시작"), data.get("opened_at", ""))
    doc.pair(_("마감"), data.get("closed_at", ""))
    doc.rule()
    for row in data.get("sales", []):
        doc.pair(f"{row['label']} ({row['count']})", won(row["amount"]))
    doc.pair(_("매출 합계"), won(data.get("sales_total", 0)), bold=True)
    for row in data.get("refunds", []):
        doc.pair(f"{_('환불')} {row['label']} ({row['count']})", f"-{won(row['amount'])}")
    doc.pair(_("순매출"), won(data.get("net_sales", 0)), bold=True)
    doc.pair(_("주문 수"), str(data.get("order_count", 0)))
    doc.rule()
    doc.pair(_("시재금"), won(data.get("opening_float", 0)))
    doc.pair(_("예상 현금"), won(data.get("expected_cash", 0)))
    if data.get("counted_cash") is not None:
        doc.pair(_("실제 현금"), won(data["counted_cash"]))
        doc.pair(_("차액"), won(data.get("difference") or 0), bold=True)


def render_job(job: PrintJob, *, qr_url: str = "") -> bytes:
    """The bytes to send to the job's printer, ending with a cut (and the drawer kick first)."""
    doc = Document(job.printer)
    data = job.payload or {}
    kind = job.kind
    if kind == PrintJob.Kind.RECEIPT:
        render_receipt(doc, data, qr_url=qr_url)
    elif kind == PrintJob.Kind.BILL:
        render_bill(doc, data)
    elif kind == PrintJob.Kind.KITCHEN:
        render_kitchen(doc, data)
    elif kind == PrintJob.Kind.Z_REPORT:
        render_z_report(doc, data)
    if job.open_drawer:
        doc.drawer()
    if kind == PrintJob.Kind.DRAWER:
        return doc.out.output  # nothing printed, nothing to cut
    doc.line()
    return doc.cut()
