"""The columns an enterprise list may have, and the header words officials use for them."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from weft.registry.search import normalise


@dataclass(frozen=True)
class Column:
    field: str
    label: object  # lazy, bilingual
    synonyms: tuple[str, ...]
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column(
        "name_zh",
        _("Enterprise name"),
        ("企业名称", "名称", "公司名称", "单位名称", "企业全称", "name", "company", "enterprise"),
        required=True,
    ),
    Column(
        "uscc",
        _("Unified social credit code"),
        ("统一社会信用代码", "信用代码", "社会信用代码", "uscc", "credit code", "信用代码证"),
    ),
    Column("address", _("Address"), ("地址", "注册地址", "经营地址", "企业地址", "address")),
    Column(
        "main_products",
        _("Main products"),
        ("主营产品", "主要产品", "产品", "products", "main products"),
    ),
    Column("stages", _("Chain stage"), ("产业链环节", "环节", "产业环节", "stage", "stages")),
    Column(
        "employees",
        _("Employees"),
        ("员工人数", "从业人数", "职工人数", "人数", "employees", "staff"),
    ),
    Column(
        "industry_codes",
        _("Industry code"),
        ("行业代码", "国民经济行业代码", "行业分类代码", "industry code", "industry codes"),
    ),
    Column("certifications", _("Certifications"), ("认证", "资质认证", "certifications")),
    Column("contact_name", _("Contact person"), ("联系人", "contact", "contact name")),
    Column(
        "contact_phone",
        _("Phone"),
        ("电话", "联系电话", "手机", "phone", "telephone", "mobile"),
    ),
    Column("contact_email", _("Email"), ("邮箱", "电子邮箱", "email", "e-mail")),
    Column("name_en", _("English name"), ("英文名称", "english name", "name (english)")),
    Column("founded_year", _("Year founded"), ("成立年份", "成立时间", "founded", "year founded")),
    Column("website", _("Website"), ("网址", "网站", "website")),
)
BY_FIELD = {c.field: c for c in COLUMNS}


def _key(header) -> str:
    text = normalise(str(header or ""))
    return text.replace("*", "").replace("：", "").replace(":", "").strip()


_SYNONYMS = {_key(s): c.field for c in COLUMNS for s in c.synonyms}


def field_for(header) -> str | None:
    """The field a header names, or None. Exact synonyms first, then a synonym inside the header
    (统一社会信用代码（18位） still names the USCC); short words only
    as whole headers, since 名称 is also inside 产品名称."""
    key = _key(header)
    if not key:
        return None
    if key in _SYNONYMS:
        return _SYNONYMS[key]
    for synonym, field in sorted(_SYNONYMS.items(), key=lambda kv: -len(kv[0])):
        if len(synonym) >= 4 and synonym in key:
            return field
    return None


def guess_mapping(headers: list) -> dict[int, str]:
    """Column index → field, each field at most once (the first column naming it wins)."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for i, header in enumerate(headers):
        field = field_for(header)
        if field and field not in taken:
            mapping[i] = field
            taken.add(field)
    return mapping
