"""The redaction cases both redaction tests use: test_logging.py checks what redact() does with
them, test_redact_skips.py that its skipping of rules changes nothing on them."""

# (a text holding a secret, the secret redact() must remove)
SECRETS = [
    ("card 4111 1111 1111 1111 declined", "4111 1111 1111 1111"),
    ("card=4111111111111111&x=1", "4111111111111111"),
    ('{"pin": "0000", "amount": 5000}', '"0000"'),
    ("password=hunter2!", "hunter2!"),
    ("Authorization: Bearer abc.def.ghi-123", "abc.def.ghi-123"),
    ("Device 3fa85f64c2b1d9e0", "3fa85f64c2b1d9e0"),
    ("주민번호 900101-1234567 확인", "900101-1234567"),
    ("{'paymentKey': 'tgen_20261130abc', 'orderId': 'A1'}", "tgen_20261130abc"),
]

# texts redact() must leave as they are
ORDINARY = [
    "order 1042 paid 12300원",
    "masked card 433012******1234",
    "phone 010-1234-5678",
    "took 12.5 ms",
    "Task catalog.build_product_images succeeded in 0.0123456789012345s: 'READY'",
    "POST /api/carts/030b2135870963781eb192fd76a1b2c3/items 201",
]
