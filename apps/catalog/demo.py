"""Demo café menu for `manage.py seed_demo`: 5 categories, ~30 products, reusable option groups,
product images drawn with Pillow (nothing downloaded) and thumbnailed by the usual task."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from . import services
from .models import OptionGroup, Product

CATEGORIES = [
    ("커피", "Coffee", (111, 78, 55)),
    ("논커피/음료", "Non-coffee", (214, 120, 140)),
    ("티", "Tea", (96, 140, 90)),
    ("베이커리", "Bakery", (205, 150, 70)),
    ("디저트", "Dessert", (150, 110, 190)),
]

# (name, English name, min, max, required, [(option, English, price delta)])
OPTION_GROUPS = {
    "size": (
        "사이즈",
        "Size",
        1,
        1,
        True,
        [("레귤러", "Regular", 0), ("라지", "Large", 500), ("엑스라지", "Extra large", 1000)],
    ),
    "shot": (
        "샷 추가",
        "Extra shot",
        0,
        3,
        False,
        [("샷 1개", "1 shot", 500), ("디카페인 변경", "Decaf", 300), ("연하게", "Light", 0)],
    ),
    "ice": (
        "얼음",
        "Ice",
        0,
        1,
        False,
        [("얼음 적게", "Less ice", 0), ("얼음 많이", "More ice", 0), ("얼음 없이", "No ice", 0)],
    ),
    "syrup": (
        "시럽",
        "Syrup",
        0,
        2,
        False,
        [("바닐라", "Vanilla", 500), ("헤이즐넛", "Hazelnut", 500), ("카라멜", "Caramel", 500)],
    ),
}

# (category index, name, English, price, option groups, tax type)
PRODUCTS = [
    (0, "아메리카노", "Americano", 4500, ["size", "shot", "ice", "syrup"]),
    (0, "카페라떼", "Caffe Latte", 5000, ["size", "shot", "ice", "syrup"]),
    (0, "바닐라 라떼", "Vanilla Latte", 5500, ["size", "shot", "ice"]),
    (0, "카푸치노", "Cappuccino", 5000, ["size", "shot", "syrup"]),
    (0, "카라멜 마키아토", "Caramel Macchiato", 5800, ["size", "shot", "ice"]),
    (0, "콜드브루", "Cold Brew", 5200, ["size", "ice"]),
    (0, "에스프레소", "Espresso", 3800, ["shot"]),
    (0, "아인슈페너", "Einspänner", 6000, ["shot"]),
    (1, "초코 라떼", "Chocolate Latte", 5500, ["size", "ice", "syrup"]),
    (1, "녹차 라떼", "Green Tea Latte", 5500, ["size", "ice", "syrup"]),
    (1, "딸기 라떼", "Strawberry Latte", 6000, ["size", "ice"]),
    (1, "레몬에이드", "Lemonade", 5500, ["size", "ice"]),
    (1, "자몽에이드", "Grapefruit Ade", 5800, ["size", "ice"]),
    (1, "고구마 라떼", "Sweet Potato Latte", 5800, ["size", "ice"]),
    (2, "얼그레이", "Earl Grey", 4800, ["size", "ice"]),
    (2, "캐모마일", "Chamomile", 4800, ["size", "ice"]),
    (2, "페퍼민트", "Peppermint", 4800, ["size", "ice"]),
    (2, "유자차", "Citron Tea", 5000, ["size", "ice"]),
    (2, "자몽 허니 블랙티", "Grapefruit Honey Black Tea", 5800, ["size", "ice"]),
    (3, "버터 크루아상", "Butter Croissant", 3800, []),
    (3, "소금빵", "Salt Bread", 3200, []),
    (3, "블루베리 스콘", "Blueberry Scone", 3900, []),
    (3, "베이글", "Bagel", 3500, []),
    (3, "햄 치즈 샌드위치", "Ham & Cheese Sandwich", 6500, []),
    (3, "초코 머핀", "Chocolate Muffin", 3800, []),
    (4, "티라미수", "Tiramisu", 6500, []),
    (4, "바스크 치즈케이크", "Basque Cheesecake", 6800, []),
    (4, "마카롱", "Macaron", 2800, []),
    (4, "초코 브라우니", "Chocolate Brownie", 4200, []),
    (4, "당근 케이크", "Carrot Cake", 6500, []),
]

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
]


def _font(size: int) -> tuple[ImageFont.ImageFont, bool]:
    """A font and whether it can draw Hangul (else the English name is drawn)."""
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size), "dejavu" not in candidate.lower()
    return ImageFont.load_default(size=size), False


def draw_tile(name: str, name_en: str, color: tuple[int, int, int], size: int = 720) -> bytes:
    """A colored square with the product's name, as a JPEG (a stand-in for a product photo)."""
    image = Image.new("RGB", (size, size), color)
    draw = ImageDraw.Draw(image)
    light = tuple(min(255, c + 60) for c in color)
    draw.ellipse((size * 0.18, size * 0.12, size * 0.82, size * 0.76), fill=light)
    font, hangul = _font(size // 12)
    text = name if hangul else name_en
    words, lines, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) > size * 0.86 and line:
            lines.append(line)
            line = word
        else:
            line = candidate
    lines.append(line)
    y = size * 0.80 - (len(lines) - 1) * size / 11
    for text_line in lines:
        width = draw.textlength(text_line, font=font)
        draw.text(((size - width) / 2, y), text_line, fill=(255, 255, 255), font=font)
        y += size / 11
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def seed(store, stdout) -> None:
    owner = store.owner
    if Product.objects.filter(owner=owner).exists():
        stdout.write("  Catalog: already there.")
        return
    categories = [
        services.category_create(owner, name=name, name_en=name_en, sort_order=index)
        for index, (name, name_en, _color) in enumerate(CATEGORIES)
    ]
    groups: dict[str, OptionGroup] = {}
    for key, (name, name_en, low, high, required, options) in OPTION_GROUPS.items():
        group = services.option_group_create(
            owner, name=name, name_en=name_en, min_choices=low, max_choices=high, required=required
        )
        for index, (option_name, option_en, delta) in enumerate(options):
            services.option_create(group, name=option_name, name_en=option_en, price_delta=delta, sort_order=index)
        groups[key] = group
    for category_index, name, name_en, price, group_keys in PRODUCTS:
        color = CATEGORIES[category_index][2]
        upload = SimpleUploadedFile(f"{name_en}.jpg", draw_tile(name, name_en, color), content_type="image/jpeg")
        # Each product commits on its own so its thumbnail task runs (eagerly, or on the worker).
        with transaction.atomic():
            services.product_create(
                owner,
                name=name,
                name_en=name_en,
                base_price=price,
                category_ids=[categories[category_index].pk],
                option_group_ids=[groups[key].pk for key in group_keys],
                image=upload,
                description=f"{name} — {CATEGORIES[category_index][0]}",
            )
    stdout.write(f"  Catalog: {len(PRODUCTS)} products in {len(CATEGORIES)} categories.")
