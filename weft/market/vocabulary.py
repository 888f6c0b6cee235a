"""Product categories per chain stage, and which certifications count as green or social.

Codes are stable English; labels bilingual. A demand or a capacity offer names one stage and one
(demand) or several (offer) categories of that stage; matching compares codes, never labels.
"""

from django.utils.translation import get_language

CATEGORIES: dict[str, list[tuple[str, str, str]]] = {
    "fiber": [
        ("polyester_fibre", "涤纶纤维", "Polyester fibre"),
        ("viscose_fibre", "粘胶纤维", "Viscose fibre"),
        ("recycled_fibre", "再生纤维", "Recycled fibre"),
    ],
    "spinning": [
        ("cotton_yarn", "棉纱", "Cotton yarn"),
        ("blended_yarn", "混纺纱", "Blended yarn"),
        ("wool_yarn", "毛纱", "Wool yarn"),
    ],
    "weaving": [
        ("cotton_woven", "棉布", "Cotton woven fabric"),
        ("polyester_woven", "涤纶面料", "Polyester woven fabric"),
        ("silk_woven", "真丝面料", "Silk fabric"),
        ("denim", "牛仔布", "Denim"),
        ("linen_woven", "麻类面料", "Linen fabric"),
    ],
    "knitting": [
        ("knit_fabric", "针织面料", "Knitted fabric"),
        ("sweater_knit", "毛衫", "Sweater knitting"),
        ("hosiery", "袜品", "Hosiery"),
    ],
    "dyeing_finishing": [
        ("piece_dyeing", "匹染", "Piece dyeing"),
        ("yarn_dyeing", "纱线染色", "Yarn dyeing"),
        ("functional_finish", "功能整理", "Functional finishing"),
    ],
    "printing": [
        ("digital_print", "数码印花", "Digital printing"),
        ("screen_print", "丝网印花", "Screen printing"),
    ],
    "accessories": [
        ("buttons", "纽扣", "Buttons"),
        ("zippers", "拉链", "Zippers"),
        ("labels", "商标织带", "Labels and tapes"),
        ("lace", "花边", "Lace"),
    ],
    "garment_making": [
        ("womenswear", "女装", "Womenswear"),
        ("menswear", "男装", "Menswear"),
        ("childrenswear", "童装", "Childrenswear"),
        ("sportswear", "运动服", "Sportswear"),
        ("workwear", "工装", "Workwear"),
    ],
    "home_textiles": [
        ("bedding", "床上用品", "Bedding"),
        ("towels", "毛巾", "Towels"),
        ("curtains", "窗帘布艺", "Curtains"),
    ],
    "design": [("pattern_design", "版型设计", "Pattern design")],
    "logistics": [("freight", "货运", "Freight")],
}

# Certifications that speak for social responsibility or green production (CSR score).
GREEN_CERTIFICATIONS = {
    "csc9000t",
    "bluesign",
    "grs",
    "gots",
    "oeko_tex_step",
    "zdhc",
    "iso14001",
    "sa8000",
    "bsci",
    "wrap",
    "china_green_product",
    "china_env_label",
}

UNITS = [
    ("m", "米", "metres"),
    ("kg", "千克", "kg"),
    ("t", "吨", "tonnes"),
    ("pcs", "件", "pieces"),
    ("set", "套", "sets"),
    ("pair", "双", "pairs"),
]


def _pick(zh: str, en: str) -> str:
    return en if (get_language() or "zh-hans").startswith("en") else zh


def category_codes(stage: str | None = None) -> set[str]:
    stages = [stage] if stage else CATEGORIES
    return {code for s in stages for code, _zh, _en in CATEGORIES.get(s, [])}


def category_stage(code: str) -> str | None:
    return next((s for s, rows in CATEGORIES.items() if any(r[0] == code for r in rows)), None)


def category_label(code: str) -> str:
    for rows in CATEGORIES.values():
        for c, zh, en in rows:
            if c == code:
                return _pick(zh, en)
    return code


def category_choices(stage: str | None = None) -> list[tuple[str, str]]:
    stages = [stage] if stage else list(CATEGORIES)
    return [(c, _pick(zh, en)) for s in stages for c, zh, en in CATEGORIES.get(s, [])]


def unit_choices() -> list[tuple[str, str]]:
    return [(c, _pick(zh, en)) for c, zh, en in UNITS]


def unit_label(code: str) -> str:
    return next((_pick(zh, en) for c, zh, en in UNITS if c == code), code)


def category_label_both(code: str) -> str:
    """Both labels, for search text: a category is found by its Chinese or English name."""
    for rows in CATEGORIES.values():
        for c, zh, en in rows:
            if c == code:
                return f"{zh} {en}"
    return code
