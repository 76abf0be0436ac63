from django.urls import path

from . import (
    views,
    views_cash_receipt,
    views_kitchen,
    views_orders,
    views_pay,
    views_pending,
    views_shift,
    views_tables,
)

app_name = "pos"

urlpatterns = [
    path("pos/", views.home, name="home"),
    path("pos/login/", views.pin_login, name="login"),
    path("pos/logout/", views.pin_logout, name="logout"),
    path("pos/switch/", views.switch_member, name="switch"),
    # selling
    path("pos/menu/", views.menu_grid, name="menu_grid"),
    path("pos/menu/poll/", views.menu_poll, name="menu_poll"),
    path("pos/products/<int:product_id>/options/", views.product_options, name="product_options"),
    path("pos/cart/add/", views.cart_add, name="cart_add"),
    path("pos/cart/barcode/", views.cart_barcode, name="cart_barcode"),
    path("pos/cart/lines/<str:line_id>/qty/", views.cart_line_qty, name="cart_line_qty"),
    path("pos/cart/lines/<str:line_id>/note/", views.cart_line_note, name="cart_line_note"),
    path("pos/cart/lines/<str:line_id>/remove/", views.cart_line_remove, name="cart_line_remove"),
    path("pos/cart/clear/", views.cart_clear, name="cart_clear"),
    path("pos/cart/coupon/", views.cart_coupon, name="cart_coupon"),
    path("pos/cart/discount/", views.discount_form, name="discount_form"),
    path("pos/cart/discount/add/", views.cart_discount, name="cart_discount"),
    path("pos/cart/discount/remove/", views.cart_discount_remove, name="cart_discount_remove"),
    path("pos/cart/hold/", views.cart_hold, name="cart_hold"),
    path("pos/held/", views.held_list, name="held"),
    path("pos/held/<str:cart_id>/recall/", views.held_recall, name="held_recall"),
    # paying
    path("pos/checkout/", views_pay.checkout, name="checkout"),
    path("pos/pay/<str:public_id>/", views_pay.pay_page, name="pay"),
    path("pos/pay/<str:public_id>/submit/", views_pay.pay, name="pay_submit"),
    path("pos/pay/<str:public_id>/cancel/", views_pay.order_cancel, name="order_cancel"),
    path("pos/new-sale/", views_pay.new_sale, name="new_sale"),
    path("pos/orders/<str:public_id>/receipt/", views_pay.receipt, name="receipt"),
    path("pos/payments/<str:payment_id>/cash-receipt/", views_cash_receipt.cash_receipt, name="cash_receipt"),
    # history and refunds
    path("pos/orders/", views_orders.order_list, name="orders"),
    path("pos/orders/<str:public_id>/", views_orders.order_detail, name="order_detail"),
    path("pos/orders/<str:public_id>/refund/", views_orders.order_refund, name="order_refund"),
    # cash drawer
    path("pos/shift/", views_shift.shift_page, name="shift"),
    path("pos/shift/open/", views_shift.shift_open, name="shift_open"),
    path("pos/shift/cash/", views_shift.cash_move, name="cash_move"),
    path("pos/shift/close/", views_shift.shift_close, name="shift_close"),
    path("pos/shifts/<int:shift_id>/report/", views_shift.shift_report, name="shift_report"),
    # tables and tabs (views_tables)
    path("pos/tables/", views_tables.floor, name="tables"),
    path("pos/tables/poll/", views_tables.floor_poll, name="tables_poll"),
    path("pos/tables/<int:table_id>/", views_tables.tab_page, name="table_tab"),
    path("pos/tables/<int:table_id>/open/", views_tables.tab_open, name="table_open"),
    path("pos/tables/<int:table_id>/rounds/", views_tables.round_add, name="table_round_add"),
    path("pos/tables/<int:table_id>/lines/<int:line_id>/void/", views_tables.line_void, name="table_line_void"),
    path("pos/tables/<int:table_id>/move/", views_tables.tab_move, name="table_move"),
    path("pos/tables/<int:table_id>/merge/", views_tables.tab_merge, name="table_merge"),
    path("pos/tables/<int:table_id>/close/", views_tables.tab_close, name="table_close"),
    path("pos/tables/<int:table_id>/bill/", views_tables.tab_bill, name="table_bill"),
    path("pos/tables/<int:table_id>/pay/", views_tables.tab_pay, name="table_pay"),
    path("pos/tables/<int:table_id>/split/", views_tables.tab_split, name="table_split"),
    path("pos/tables/pending/<str:pending_id>/confirm/", views_pending.pending_confirm, name="table_pending_confirm"),
    path("pos/tables/pending/<str:pending_id>/reject/", views_pending.pending_reject, name="table_pending_reject"),
    # kitchen: ready orders for hand-over (views_kitchen)
    path("pos/ready/", views_kitchen.ready_list, name="ready"),
    path("pos/ready/<str:public_id>/hand-over/", views_kitchen.hand_over, name="hand_over"),
    # kiosk "call staff"
    path("pos/staff-calls/", views.staff_calls_poll, name="staff_calls"),
    path("pos/staff-calls/<str:call_id>/ack/", views.staff_call_ack, name="staff_call_ack"),
]
