"""Matching demands with capacity offers.

Two steps, both for a demand's candidates and for an offer's demands:
1. Hard filters in the database (index `market_offer_match`: status, stage, date window), plus
   category, unit, certifications, capacity for the quantity by the date, visibility.
2. A score in [0, 1]: a weighted sum of six parts, each in [0, 1]. For demand → offers the score
   is computed by the database (ORDER BY score LIMIT n), so only the top rows travel; `score_parts`
   is the same formula in Python, used for the reasons shown and for the naive baseline.

Parts: distance (1 next door, 0 at 1,500 km or more), price fit (1 at or under the target, 0 at
50 % over), lead time (share of the time to the needed-by date left after finishing), history
(ratings on Weft, shrunk towards 0.6 while few), green/CSR credentials, cluster (CLUSTER_OWN for
the buyer's own cluster, CLUSTER_PARTNER for a partner cluster, whose firms met the buyer's
cluster's firms at a docking event (partners.py), CLUSTER_PROVINCE for the delivery place's
province; the first that holds counts).
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Greatest, Least
from django.utils import timezone
from django.utils.translation import get_language, gettext

from weft.registry.models import BilingualName

from .models import CapacityOffer, Demand, Invitation, SupplierCapability, Visibility
from .partners import MetAt, partners_of
from .partners import graph as partner_graph
from .services import unit_vector

_translated: dict[tuple, str] = {}


def _(message: str, lang: str | None = None) -> str:
    """gettext, remembered per language: every match's reasons repeat the same dozen phrases.
    `lang` is the active language when the caller has it already (looking it up costs)."""
    key = (lang or get_language(), message)
    text = _translated.get(key)
    if text is None:
        text = _translated[key] = gettext(message)
    return text


WEIGHTS = {
    "distance": 0.20,
    "price": 0.20,
    "lead": 0.15,
    "history": 0.20,
    "green": 0.10,
    "cluster": 0.15,
}
EARTH_KM = 6371.0
FAR_KM = 1500.0
COS_FAR = math.cos(FAR_KM / EARTH_KM)
STRONG = 0.75
NEUTRAL = 0.5
# The cluster part: own cluster, partner cluster (partners.py), same province as the delivery.
CLUSTER_OWN = 1.0
CLUSTER_PARTNER = 0.7
CLUSTER_PROVINCE = 0.5


@dataclass
class Context:
    """What a demand contributes to every candidate's score."""

    quantity: float
    unit: str
    target: float | None
    today: int
    needed: int
    vec: tuple[float, float, float] | None
    cluster_tokens: list[str]
    province_code: str
    certs: list[str] = field(default_factory=list)
    lang: str | None = None
    # Partner clusters of the buyer's (never its own): token → where their firms met.
    partners: dict[str, MetAt] = field(default_factory=dict)

    @property
    def partner_tokens(self) -> list[str]:
        return list(self.partners)

    @classmethod
    def of(cls, demand: Demand, today: datetime.date | None = None) -> "Context":
        from django.db import connection

        today = today or timezone.localdate()
        clusters, certs = Demand.clusters.field, Demand.certifications.field
        # Two plain statements: the ORM's compile time for them was most of a match's cost.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {clusters.m2m_reverse_name()} FROM {clusters.m2m_db_table()}"  # noqa: S608
                f" WHERE {clusters.m2m_column_name()} = %s",
                [demand.pk],
            )
            cluster_ids = sorted(r[0] for r in cursor.fetchall())
            cursor.execute(
                "SELECT c.code FROM registry_certification c"  # noqa: S608
                f" JOIN {certs.m2m_db_table()} t ON t.{certs.m2m_reverse_name()} = c.id"
                f" WHERE t.{certs.m2m_column_name()} = %s ORDER BY c.code",
                [demand.pk],
            )
            codes = [r[0] for r in cursor.fetchall()]
        partners = partners_of(cluster_ids, partner_graph(today))
        return cls(
            quantity=float(demand.quantity),
            unit=demand.unit,
            target=float(demand.target_price) if demand.target_price else None,
            today=today.toordinal(),
            needed=demand.needed_by.toordinal(),
            vec=unit_vector(demand.delivery_lat, demand.delivery_lon),
            cluster_tokens=[f" c:{c} " for c in cluster_ids],
            province_code=(demand.delivery_adcode or "")[:2],
            certs=codes,
            lang=get_language(),
            partners=_partner_tokens(partners),
        )


def _partner_tokens(partners: dict[int, MetAt]) -> dict[str, MetAt]:
    return {f" c:{c} ": met for c, met in sorted(partners.items())}


def _clip(x):
    return Least(Value(1.0), Greatest(Value(0.0), x))


def _clip_py(x: float) -> float:
    return min(1.0, max(0.0, x))


def candidate_offers(demand: Demand, ctx: Context | None = None) -> QuerySet[CapacityOffer]:
    """The hard filters: offers that could serve the demand at all."""
    ctx = ctx or Context.of(demand)
    qs = CapacityOffer.objects.filter(
        status=CapacityOffer.Status.OPEN,
        stage=demand.stage,
        end_day__gte=ctx.today,
        start_day__lte=ctx.needed,
        hidden_at__isnull=True,
        category_tokens__contains=f" {demand.category} ",
        unit=demand.unit,
        min_order__lte=demand.quantity,
        daily_capacity__gt=0,
    ).exclude(supplier_id=demand.buyer_id)
    for code in ctx.certs:
        qs = qs.filter(cert_tokens__contains=f" {code} ")
    if demand.visibility == Visibility.CLUSTER:
        same = Q(pk__in=[])
        for token in ctx.cluster_tokens:
            same |= Q(cluster_tokens__contains=token)
        qs = qs.filter(same)
    elif demand.visibility == Visibility.INVITED:
        qs = qs.filter(
            supplier_id__in=Invitation.objects.filter(demand=demand).values("enterprise_id")
        )
    # Enough capacity between now (or the offer's start) and the needed-by date (or its end).
    days = Least(F("end_day"), Value(ctx.needed)) - Greatest(F("start_day"), Value(ctx.today))
    return qs.alias(can_make=F("daily_capacity") * days).filter(can_make__gte=ctx.quantity)


def score_expression(ctx: Context):
    w = WEIGHTS
    if ctx.vec:
        dot = F("geo_x") * ctx.vec[0] + F("geo_y") * ctx.vec[1] + F("geo_z") * ctx.vec[2]
        distance = Case(
            When(geo_x__isnull=True, then=Value(NEUTRAL)),
            default=_clip((dot - COS_FAR) / (1 - COS_FAR)),
            output_field=FloatField(),
        )
    else:
        distance = Value(NEUTRAL)
    if ctx.target:
        price = Case(
            When(price__isnull=True, then=Value(NEUTRAL)),
            default=_clip(Value(3.0) - Cast("price", FloatField()) * (2.0 / ctx.target)),
            output_field=FloatField(),
        )
    else:
        price = Value(NEUTRAL)
    span = max(1, ctx.needed - ctx.today)
    finish = Greatest(F("start_day"), Value(ctx.today)) + Value(ctx.quantity) / F("daily_capacity")
    lead = _clip((Value(float(ctx.needed)) - finish) / span)
    cluster_whens = [
        When(cluster_tokens__contains=t, then=Value(CLUSTER_OWN)) for t in ctx.cluster_tokens
    ]
    cluster_whens += [
        When(cluster_tokens__contains=t, then=Value(CLUSTER_PARTNER)) for t in ctx.partner_tokens
    ]
    if ctx.province_code:
        cluster_whens.append(When(province_code=ctx.province_code, then=Value(CLUSTER_PROVINCE)))
    cluster = (
        Case(*cluster_whens, default=Value(0.0), output_field=FloatField())
        if cluster_whens
        else Value(0.0)
    )
    return (
        distance * w["distance"]
        + price * w["price"]
        + lead * w["lead"]
        + F("history_score") * w["history"]
        + F("green_score") * w["green"]
        + cluster * w["cluster"]
    )


def score_parts(ctx: Context, offer) -> dict[str, float]:
    """The same score as `score_expression`, in Python, part by part."""
    common = score_parts_common(ctx, offer)
    if ctx.target and offer.price is not None:
        price = _clip_py(3.0 - float(offer.price) * 2.0 / ctx.target)
    else:
        price = NEUTRAL
    span = max(1, ctx.needed - ctx.today)
    finish = max(offer.start_day, ctx.today) + ctx.quantity / offer.daily_capacity
    lead = _clip_py((ctx.needed - finish) / span)
    return {"distance": common.pop("distance"), "price": price, "lead": lead, **common}


def total(parts: dict[str, float]) -> float:
    return sum(parts[k] * w for k, w in WEIGHTS.items())


@dataclass
class Match:
    """One ranked supplier: a capacity offer, or a firm able to make it without an open offer."""

    offer: "OfferView | None"
    score: float
    parts: dict[str, float]
    reasons: list[str]
    firm: "FirmName | None" = None

    @property
    def supplier(self) -> "FirmName":
        return self.offer.supplier if self.offer is not None else self.firm

    @property
    def supplier_id(self) -> int:
        return self.supplier.pk

    @property
    def key(self) -> tuple[str, int]:
        return ("offer", self.offer.pk) if self.offer is not None else ("firm", self.firm.pk)

    @property
    def strong(self) -> bool:
        return self.score >= STRONG


def distance_km(ctx: Context, offer) -> float | None:
    if not ctx.vec or offer.geo_x is None:
        return None
    dot = offer.geo_x * ctx.vec[0] + offer.geo_y * ctx.vec[1] + offer.geo_z * ctx.vec[2]
    return EARTH_KM * math.acos(max(-1.0, min(1.0, dot)))


def reasons(ctx: Context, offer, parts: dict[str, float]) -> list[str]:
    """Why a candidate ranks where it does, in the reader's language."""
    out = []
    km = distance_km(ctx, offer)
    if km is not None:
        out.append(_("%(km)d km from the delivery place", ctx.lang) % {"km": round(km)})
    if ctx.target and offer.price is not None:
        if parts["price"] >= 1:
            out.append(
                _("indicative price ¥%(p)s is within the target", ctx.lang) % {"p": offer.price}
            )
        else:
            out.append(
                _("indicative price ¥%(p)s is %(pct)d%% over the target", ctx.lang)
                % {"p": offer.price, "pct": round((float(offer.price) / ctx.target - 1) * 100)}
            )
    finish = max(offer.start_day, ctx.today) + ctx.quantity / offer.daily_capacity
    out.append(
        _("can finish the quantity %(d)d days before the needed-by date", ctx.lang)
        % {"d": max(0, math.floor(ctx.needed - finish))}
    )
    return out + _common_reasons(ctx, offer, parts)


MATCH_FIELDS = (
    "id",
    "title",
    "supplier_id",
    "price",
    "unit",
    "geo_x",
    "geo_y",
    "geo_z",
    "start_day",
    "daily_capacity",
    "history_score",
    "green_score",
    "cluster_tokens",
    "cert_tokens",
    "province_code",
    "quantity",
    "period",
    "categories",
)


def _like(token: str) -> str:
    """A LIKE pattern for a whole token, with LIKE's wildcards in the token escaped."""
    escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _clip_sql(sql: str, params: list) -> tuple[str, list]:
    # Portable clip to [0, 1]: LEAST/GREATEST are MIN/MAX on SQLite.
    return (
        f"(CASE WHEN ({sql}) <= 0 THEN 0.0 WHEN ({sql}) >= 1 THEN 1.0 ELSE ({sql}) END)",
        params * 3,
    )


def match_sql(demand: Demand, ctx: Context, limit: int) -> tuple[str, list]:
    """`candidate_offers` + `score_expression` as one hand-written statement.

    The same query as the ORM builds, written once: compiling the ORM expression tree took more
    time than running the query (see BENCHMARKS.md). Tests check both give the same rows/scores.
    """
    like = " LIKE %s ESCAPE '\\'"
    where = [
        "o.status = %s",
        "o.stage = %s",
        "o.end_day >= %s",
        "o.start_day <= %s",
        "o.hidden_at IS NULL",
        "o.category_tokens" + like,
        "o.unit = %s",
        "o.min_order <= %s",
        "o.supplier_id <> %s",
        "o.daily_capacity > 0",
    ]
    wp: list = [
        CapacityOffer.Status.OPEN,
        demand.stage,
        ctx.today,
        ctx.needed,
        _like(f" {demand.category} "),
        demand.unit,
        demand.quantity,
        demand.buyer_id,
    ]
    for code in ctx.certs:
        where.append("o.cert_tokens" + like)
        wp.append(_like(f" {code} "))
    if demand.visibility == Visibility.CLUSTER:
        if ctx.cluster_tokens:
            where.append(
                "(" + " OR ".join(["o.cluster_tokens" + like] * len(ctx.cluster_tokens)) + ")"
            )
            wp += [_like(t) for t in ctx.cluster_tokens]
        else:
            where.append("1 = 0")
    elif demand.visibility == Visibility.INVITED:
        where.append(
            "o.supplier_id IN (SELECT i.enterprise_id FROM market_invitation i WHERE i.demand_id = %s)"
        )
        wp.append(demand.pk)
    where.append(
        "o.daily_capacity * ((CASE WHEN o.end_day < %s THEN o.end_day ELSE %s END)"
        " - (CASE WHEN o.start_day > %s THEN o.start_day ELSE %s END)) >= %s"
    )
    wp += [ctx.needed, ctx.needed, ctx.today, ctx.today, ctx.quantity]

    w = WEIGHTS
    terms, sp = [], []
    if ctx.vec:
        dist, dp = _clip_sql(
            "(o.geo_x * %s + o.geo_y * %s + o.geo_z * %s - %s) / %s",
            [ctx.vec[0], ctx.vec[1], ctx.vec[2], COS_FAR, 1 - COS_FAR],
        )
        terms.append(f"(CASE WHEN o.geo_x IS NULL THEN %s ELSE {dist} END) * %s")
        sp += [NEUTRAL, *dp, w["distance"]]
    else:
        terms.append("%s")
        sp.append(NEUTRAL * w["distance"])
    if ctx.target:
        price, pp = _clip_sql("3.0 - CAST(o.price AS DOUBLE PRECISION) * %s", [2.0 / ctx.target])
        terms.append(f"(CASE WHEN o.price IS NULL THEN %s ELSE {price} END) * %s")
        sp += [NEUTRAL, *pp, w["price"]]
    else:
        terms.append("%s")
        sp.append(NEUTRAL * w["price"])
    span = float(max(1, ctx.needed - ctx.today))
    lead, lp = _clip_sql(
        "(%s - ((CASE WHEN o.start_day > %s THEN o.start_day ELSE %s END)"
        " + %s / o.daily_capacity)) / %s",
        [float(ctx.needed), ctx.today, ctx.today, ctx.quantity, span],
    )
    terms.append(f"{lead} * %s")
    sp += [*lp, w["lead"]]
    terms.append("o.history_score * %s")
    sp.append(w["history"])
    terms.append("o.green_score * %s")
    sp.append(w["green"])
    cluster, cp = _cluster_sql(ctx, "o")
    if cluster:
        terms.append(f"{cluster} * %s")
        sp += [*cp, w["cluster"]]
    score = " + ".join(terms)
    sql = (
        f"SELECT o.id, ({score}) AS score FROM market_capacityoffer o "  # noqa: S608
        f"WHERE {' AND '.join(where)} ORDER BY score DESC, o.id LIMIT %s"
    )
    return sql, [*sp, *wp, limit]


def firm_parts(ctx: Context, cap) -> dict[str, float]:
    """A firm without an open offer: the offer-only parts (price, lead time) are neutral."""
    parts = score_parts_common(ctx, cap)
    parts["price"] = NEUTRAL
    parts["lead"] = NEUTRAL
    return parts


def score_parts_common(ctx: Context, row) -> dict[str, float]:
    """Distance, history, green and cluster: the parts any supplier has."""
    parts = {}
    if ctx.vec and row.geo_x is not None:
        dot = row.geo_x * ctx.vec[0] + row.geo_y * ctx.vec[1] + row.geo_z * ctx.vec[2]
        parts["distance"] = _clip_py((dot - COS_FAR) / (1 - COS_FAR))
    else:
        parts["distance"] = NEUTRAL
    parts["history"] = row.history_score
    parts["green"] = row.green_score
    tokens = row.cluster_tokens or ""
    if any(t in tokens for t in ctx.cluster_tokens):
        parts["cluster"] = CLUSTER_OWN
    elif any(t in tokens for t in ctx.partner_tokens):
        parts["cluster"] = CLUSTER_PARTNER
    elif ctx.province_code and row.province_code == ctx.province_code:
        parts["cluster"] = CLUSTER_PROVINCE
    else:
        parts["cluster"] = 0.0
    return parts


def met_at(ctx: Context, row) -> MetAt | None:
    """Where the row's partner cluster met the buyer's, if it is in one."""
    tokens = row.cluster_tokens or ""
    return next((met for t, met in ctx.partners.items() if t in tokens), None)


def firm_reasons(ctx: Context, cap, parts: dict[str, float]) -> list[str]:
    out = [
        _(
            "makes this category but has no open capacity offer: price and lead time unknown",
            ctx.lang,
        )
    ]
    km = distance_km(ctx, cap)
    if km is not None:
        out.insert(0, _("%(km)d km from the delivery place", ctx.lang) % {"km": round(km)})
    out += _common_reasons(ctx, cap, parts)
    return out


def _common_reasons(ctx: Context, row, parts: dict[str, float]) -> list[str]:
    out = []
    if parts["history"] > 0.6:
        out.append(_("good on-time and quality ratings on Weft", ctx.lang))
    elif parts["history"] < 0.6:
        out.append(_("weak on-time or quality ratings on Weft", ctx.lang))
    else:
        out.append(_("no ratings on Weft yet", ctx.lang))
    if parts["green"] > 0:
        out.append(
            _("social and green certifications: %(c)s", ctx.lang) % {"c": row.cert_tokens.strip()}
        )
    if parts["cluster"] == CLUSTER_OWN:
        out.append(_("in the buyer's own cluster", ctx.lang))
    elif parts["cluster"] == CLUSTER_PARTNER:
        met = met_at(ctx, row)
        out.append(
            _("in a partner cluster (met at %(event)s)", ctx.lang)
            % {"event": met.title(ctx.lang) if met else "—"}
        )
    elif parts["cluster"] == CLUSTER_PROVINCE:
        out.append(_("in the delivery place's province", ctx.lang))
    return out


def _visibility_sql(demand: Demand, ctx: Context, alias: str, supplier: str) -> tuple[list, list]:
    """The demand's visibility as WHERE clauses: who may be offered it at all."""
    like = " LIKE %s ESCAPE '\\'"
    where, wp = [f"{alias}.{supplier} <> %s"], [demand.buyer_id]
    for code in ctx.certs:
        where.append(f"{alias}.cert_tokens" + like)
        wp.append(_like(f" {code} "))
    if demand.visibility == Visibility.CLUSTER:
        if ctx.cluster_tokens:
            where.append(
                "("
                + " OR ".join([f"{alias}.cluster_tokens" + like] * len(ctx.cluster_tokens))
                + ")"
            )
            wp += [_like(t) for t in ctx.cluster_tokens]
        else:
            where.append("1 = 0")
    elif demand.visibility == Visibility.INVITED:
        where.append(
            f"{alias}.{supplier} IN (SELECT i.enterprise_id"  # noqa: S608
            " FROM market_invitation i WHERE i.demand_id = %s)"
        )
        wp.append(demand.pk)
    return where, wp


def _common_terms_sql(ctx: Context, alias: str) -> tuple[list[str], list]:
    """Distance, history, green and cluster terms of the score, weighted."""
    w = WEIGHTS
    terms, sp = [], []
    if ctx.vec:
        dist, dp = _clip_sql(
            f"({alias}.geo_x * %s + {alias}.geo_y * %s + {alias}.geo_z * %s - %s) / %s",
            [ctx.vec[0], ctx.vec[1], ctx.vec[2], COS_FAR, 1 - COS_FAR],
        )
        terms.append(f"(CASE WHEN {alias}.geo_x IS NULL THEN %s ELSE {dist} END) * %s")
        sp += [NEUTRAL, *dp, w["distance"]]
    else:
        terms.append("%s")
        sp.append(NEUTRAL * w["distance"])
    terms.append(f"{alias}.history_score * %s")
    sp.append(w["history"])
    terms.append(f"{alias}.green_score * %s")
    sp.append(w["green"])
    cluster, cp = _cluster_sql(ctx, alias)
    if cluster:
        terms.append(f"{cluster} * %s")
        sp += [*cp, w["cluster"]]
    return terms, sp


def _cluster_sql(ctx: Context, alias: str) -> tuple[str, list]:
    """The cluster part as a CASE: own cluster, then partner cluster, then province."""
    like = " LIKE %s ESCAPE '\\'"
    whens, cp = [], []
    for tokens, value in ((ctx.cluster_tokens, CLUSTER_OWN), (ctx.partner_tokens, CLUSTER_PARTNER)):
        for token in tokens:
            whens.append(f"WHEN {alias}.cluster_tokens{like} THEN %s")
            cp += [_like(token), value]
    if ctx.province_code:
        whens.append(f"WHEN {alias}.province_code = %s THEN %s")
        cp += [ctx.province_code, CLUSTER_PROVINCE]
    if not whens:
        return "", []
    return f"(CASE {' '.join(whens)} ELSE 0.0 END)", cp


def firm_sql(demand: Demand, ctx: Context, limit: int) -> tuple[str, list]:
    """Firms able to make the demand's stage and category, with no open offer in that stage."""
    where = ["s.stage = %s", "s.category = %s"]
    wp: list = [demand.stage, demand.category]
    vw, vp = _visibility_sql(demand, ctx, "s", "enterprise_id")
    where += vw
    wp += vp
    where.append(
        "NOT EXISTS (SELECT 1 FROM market_capacityoffer o WHERE o.supplier_id = s.enterprise_id"
        " AND o.status = %s AND o.stage = %s)"
    )
    wp += [CapacityOffer.Status.OPEN, demand.stage]
    terms, sp = _common_terms_sql(ctx, "s")
    neutral = NEUTRAL * (WEIGHTS["price"] + WEIGHTS["lead"])
    score = " + ".join([*terms, "%s"])
    sql = (
        f"SELECT s.enterprise_id, ({score}) AS score FROM market_suppliercapability s "  # noqa: S608
        f"WHERE {' AND '.join(where)} ORDER BY score DESC, s.enterprise_id LIMIT %s"
    )
    return sql, [*sp, neutral, *wp, limit]


CAPABILITY_FIELDS = (
    "enterprise_id",
    "geo_x",
    "geo_y",
    "geo_z",
    "history_score",
    "green_score",
    "cluster_tokens",
    "cert_tokens",
    "province_code",
)


# The columns a Match's offer carries: what scoring, reasons, pages and the API read.
OFFER_COLUMNS = (
    "id",
    "title",
    "supplier_id",
    "price",
    "unit",
    "quantity",
    "period",
    "geo_x",
    "geo_y",
    "geo_z",
    "start_day",
    "daily_capacity",
    "history_score",
    "green_score",
    "cluster_tokens",
    "cert_tokens",
    "province_code",
)
CENTS = Decimal("0.01")


def _decimal(value) -> Decimal | None:
    # SQLite hands decimals back as floats or ints; PostgreSQL as Decimal.
    return None if value is None else Decimal(str(value)).quantize(CENTS)


class FirmName(BilingualName):
    """A ranked firm as pages and the API show it: id and names. (A full Enterprise instance
    costs more to build than the whole matching query.)"""

    __slots__ = ("pk", "name_zh", "name_en")

    def __init__(self, pk: int, name_zh: str, name_en: str):
        self.pk, self.name_zh, self.name_en = pk, name_zh, name_en

    @property
    def id(self) -> int:
        return self.pk

    def __str__(self):
        return self.name


class OfferView:
    """A ranked capacity offer: the columns scoring, reasons, pages and the API read, and its
    firm. Built from one plain statement for the `limit` offers returned."""

    __slots__ = (*OFFER_COLUMNS, "supplier")

    def __init__(self, supplier: FirmName, **columns):
        for name, value in columns.items():
            setattr(self, name, value)
        self.supplier = supplier

    @property
    def pk(self) -> int:
        return self.id

    def __str__(self):
        return self.title


def _offers(ids: list[int]) -> dict[int, OfferView]:
    if not ids:
        return {}
    from django.db import connection

    cols = ", ".join(f"o.{c}" for c in OFFER_COLUMNS)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {cols}, e.name_zh, e.name_en FROM market_capacityoffer o"  # noqa: S608
            f" JOIN registry_enterprise e ON e.id = o.supplier_id WHERE o.id IN ({marks})",
            ids,
        )
        rows = cursor.fetchall()
    out = {}
    for row in rows:
        data = dict(zip(OFFER_COLUMNS, row[:-2], strict=True))
        data["price"] = _decimal(data["price"])
        data["quantity"] = _decimal(data["quantity"])
        out[data["id"]] = OfferView(FirmName(data["supplier_id"], row[-2], row[-1]), **data)
    return out


def _firms(ids: list[int]) -> dict[int, FirmName]:
    if not ids:
        return {}
    from django.db import connection

    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, name_zh, name_en FROM registry_enterprise"  # noqa: S608
            f" WHERE id IN ({marks})",
            ids,
        )
        return {pk: FirmName(pk, zh, en) for pk, zh, en in cursor.fetchall()}


def matches_for_demand(
    demand: Demand, limit: int = 20, today=None, *, firms: bool = True
) -> list[Match]:
    """The best `limit` suppliers for a demand: capacity offers (filtered, scored and cut in the
    database) and, with `firms`, firms that make the category without an open offer (ranked in
    memory, firm_index.py). Objects are built only for the `limit` returned."""
    from django.db import connection

    from .firm_index import top_firms

    ctx = Context.of(demand, today)
    with connection.cursor() as cursor:
        sql, params = match_sql(demand, ctx, limit)
        cursor.execute(sql, params)
        ranked: list[tuple] = [(-score, 0, pk, None) for pk, score in cursor.fetchall()]
    if firms:
        ranked += [
            (-score, 1, row.enterprise_id, row) for score, row, _p in top_firms(demand, ctx, limit)
        ]
    ranked.sort(key=lambda t: t[:3])
    ranked = ranked[:limit]
    offer_ids = [pk for _s, kind, pk, _r in ranked if kind == 0]
    offers = _offers(offer_ids)
    names = _firms([pk for _s, kind, pk, _r in ranked if kind == 1])
    out = []
    for _s, kind, pk, row in ranked:
        if kind == 0:
            offer = offers[pk]
            parts = score_parts(ctx, offer)
            out.append(Match(offer, total(parts), parts, reasons(ctx, offer, parts)))
        else:
            parts = firm_parts(ctx, row)
            out.append(
                Match(None, total(parts), parts, firm_reasons(ctx, row, parts), firm=names[pk])
            )
    return out


def naive_matches(demand: Demand, limit: int = 20, today=None, *, firms: bool = True):
    """Baseline: read every open offer (and every firm capability) and score it in Python.

    Returns (score, key) pairs, key as `Match.key`, best first (the benchmark's comparison)."""
    ctx = Context.of(demand, today)
    certs = set(ctx.certs)
    invited = (
        set(Invitation.objects.filter(demand=demand).values_list("enterprise_id", flat=True))
        if demand.visibility == Visibility.INVITED
        else None
    )

    def visible(supplier_id, cluster_tokens, cert_tokens):
        if supplier_id == demand.buyer_id or not certs <= set(cert_tokens.split()):
            return False
        if demand.visibility == Visibility.CLUSTER:
            return any(t in cluster_tokens for t in ctx.cluster_tokens)
        return invited is None or supplier_id in invited

    scored = []
    open_in_stage = set()
    for o in CapacityOffer.objects.filter(status=CapacityOffer.Status.OPEN).only(
        *MATCH_FIELDS, "stage", "category_tokens", "end_day", "hidden_at", "min_order"
    ):
        if o.stage == demand.stage:
            open_in_stage.add(o.supplier_id)
        if (
            o.stage != demand.stage
            or o.hidden_at is not None
            or f" {demand.category} " not in o.category_tokens
            or o.unit != demand.unit
            or o.end_day < ctx.today
            or o.start_day > ctx.needed
            or o.min_order > demand.quantity
            or o.daily_capacity <= 0
            or not visible(o.supplier_id, o.cluster_tokens, o.cert_tokens)
        ):
            continue
        days = min(o.end_day, ctx.needed) - max(o.start_day, ctx.today)
        if o.daily_capacity * days < ctx.quantity:
            continue
        scored.append((total(score_parts(ctx, o)), ("offer", o.pk)))
    if firms:
        for c in SupplierCapability.objects.only(*CAPABILITY_FIELDS, "stage", "category"):
            if (
                c.stage != demand.stage
                or c.category != demand.category
                or c.enterprise_id in open_in_stage
                or not visible(c.enterprise_id, c.cluster_tokens, c.cert_tokens)
            ):
                continue
            scored.append((total(firm_parts(ctx, c)), ("firm", c.enterprise_id)))
    scored.sort(key=lambda t: (-t[0], t[1][0] == "firm", t[1][1]))
    return scored[:limit]


# --- the reverse: demands that fit an offer ---------------------------------------------------


@dataclass
class DemandMatch:
    demand: Demand
    score: float
    parts: dict[str, float]
    reasons: list[str]

    @property
    def strong(self) -> bool:
        return self.score >= STRONG


def matches_for_offer(offer: CapacityOffer, user, limit: int = 50) -> list[DemandMatch]:
    """Open demands the offer could serve, that `user` may see: best first, then newest."""
    from .selectors import visible_demands

    today = timezone.localdate()
    held = set(offer.cert_tokens.split())
    qs = (
        visible_demands(user)
        .filter(
            status=Demand.Status.OPEN,
            stage=offer.stage,
            category__in=offer.categories,
            unit=offer.unit,
            quantity__gte=offer.min_order,
            needed_by__gte=offer.available_from,
            quote_deadline__gt=timezone.now(),
        )
        .exclude(buyer_id=offer.supplier_id)
        .exclude(certifications__code__in=_certs_not_held(held))
        .prefetch_related("clusters", "certifications")
        .select_related("buyer")
        .distinct()
    )
    demands = list(qs[:2000])  # open demands of one stage and category: hundreds, not millions
    edges = partner_graph(today)
    out = []
    for demand in demands:
        ctx = _ctx_prefetched(demand, today, edges)
        days = min(offer.end_day, ctx.needed) - max(offer.start_day, ctx.today)
        if offer.daily_capacity * days < ctx.quantity:
            continue
        parts = score_parts(ctx, offer)
        out.append(DemandMatch(demand, total(parts), parts, reasons(ctx, offer, parts)))
    out.sort(key=lambda m: (-round(m.score, 1), -(m.demand.published_at.timestamp())))
    return out[:limit]


def _certs_not_held(held: set[str]) -> list[str]:
    from weft.registry.models import Certification

    return list(Certification.objects.exclude(code__in=held).values_list("code", flat=True))


def _ctx_prefetched(demand: Demand, today, edges) -> Context:
    clusters = [c.pk for c in demand.clusters.all()]
    return Context(
        quantity=float(demand.quantity),
        unit=demand.unit,
        target=float(demand.target_price) if demand.target_price else None,
        today=today.toordinal(),
        needed=demand.needed_by.toordinal(),
        vec=unit_vector(demand.delivery_lat, demand.delivery_lon),
        cluster_tokens=[f" c:{c} " for c in sorted(clusters)],
        province_code=(demand.delivery_adcode or "")[:2],
        certs=[c.code for c in demand.certifications.all()],
        lang=get_language(),
        partners=_partner_tokens(partners_of(clusters, edges)),
    )
