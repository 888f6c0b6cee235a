"""The synthetic enterprise generator behind `manage.py generate_demo`.

Firms are spread over the real clusters in proportion to each cluster's `size_weight`, and every
field is drawn so that it agrees with the cluster: stages only from the cluster's stages (mostly its
primary ones), an address in the cluster's county, a USCC registered there, products and
certifications that fit the stage. The same seed gives the same firms.

It writes with `bulk_create` in batches (one transaction each), computing names' sort keys and
search tokens in Python as it goes, so a million firms take minutes, not hours, on SQLite and on
PostgreSQL. It writes one audit record for the whole run, not one per firm.
"""

import math
import random
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from django.db import transaction
from django.utils import timezone
from pypinyin import Style, lazy_pinyin

from weft.accounts.models import Organisation
from weft.audit.models import AuditRecord
from weft.audit.services import record_change

from .. import divisions
from ..bulk import insert_links, insert_objects, reserve_ids
from ..identifiers import CHARSET, make_uscc
from ..models import Certification, ChainStage, Cluster, ClusterMembership, Enterprise, IndustryCode
from ..naming import name_keys
from ..search import enterprise_search_text, enterprise_tokens
from ..services import size_band_for
from ..taxonomy import load_clusters, stage_data
from . import vocabulary as V

DEFAULT_BATCH = 5000

# Per employee and period, by stage: (period, low, high) in the stage's capacity unit.
CAPACITY_PER_EMPLOYEE = {
    "fiber": ("year", 60, 300),
    "spinning": ("year", 10, 40),
    "weaving": ("month", 1500, 6000),
    "knitting": ("month", 0.5, 3),
    "dyeing_finishing": ("month", 2000, 8000),
    "printing": ("month", 1500, 6000),
    "accessories": ("month", 5000, 40000),
    "garment_making": ("month", 200, 600),
    "home_textiles": ("month", 100, 500),
    "textile_machinery": ("year", 0.5, 3),
}
# Median headcount by stage is exp(mu): mills are big, studios and stalls small.
EMPLOYEES_MU = {
    "fiber": 4.6,
    "spinning": 4.2,
    "weaving": 3.5,
    "knitting": 3.2,
    "dyeing_finishing": 4.0,
    "printing": 3.2,
    "accessories": 2.9,
    "garment_making": 3.1,
    "home_textiles": 3.2,
    "design": 1.8,
    "brand": 3.0,
    "wholesale_market": 1.5,
    "ecommerce": 2.0,
    "logistics": 2.6,
    "textile_machinery": 3.8,
}
VISIBILITY = {
    "contact_name": (("public", 5), ("registered", 3), ("private", 2)),
    "contact_phone": (("public", 3), ("registered", 4), ("private", 3)),
    "contact_email": (("public", 2), ("registered", 4), ("private", 4)),
}
MAX_JITTER_KM = 4.5


def _short_place(name: str) -> str:
    """东莞市 → 东莞, 虎门镇 → 虎门, 张槎街道 → 张槎; '' when too short to stand alone (市中区)."""
    for suffix in ("街道", "市", "区", "县", "镇", "省"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            short = name[: -len(suffix)]
            return "" if short.startswith("市") else short
    return name if len(name) >= 2 else ""


@cache
def pinyin_title(text: str) -> str:
    """锦绣 → Jinxiu, 驻马店 → Zhumadian (no tones, one word as in firms' English names)."""
    return "".join(lazy_pinyin(text, style=Style.NORMAL)).capitalize()


@dataclass
class ClusterPlan:
    """What the generator needs to know about one cluster, worked out once per run."""

    cluster_id: int
    slug: str
    weight: int
    stages: list[str]
    primary: list[str]
    others: list[str]
    province: str
    city: str
    county: str
    adcode: str
    precision: str
    latitude: float
    longitude: float
    address_prefix: str
    province_short: str
    prefixes: list[str]  # short place names a firm's name may start with
    area_code: str
    industry_codes: dict[str, list[str]]


def cluster_plans(clusters=None) -> list[ClusterPlan]:
    clusters = list(
        clusters if clusters is not None else Cluster.objects.prefetch_related("stages")
    )
    stage_codes_by_stage = {s["code"]: s.get("industry_codes") or [] for s in stage_data()}
    existing_codes = set(IndustryCode.objects.values_list("code", flat=True))
    plans = []
    for c in clusters:
        stages = [s.code for s in sorted(c.stages.all(), key=lambda s: s.order)]
        primary = [s for s in (c.primary_stages or []) if s in stages] or stages[:1]
        # Tianmen and Maozui are county-level cities directly under the province: their
        # prefecture is the county, and an address names it once.
        county = c.county if c.county and c.county != c.prefecture else ""
        prefixes = []
        for place in (c.prefecture, county, c.town):
            short = _short_place(place) if place else ""
            if short and short not in prefixes:
                prefixes.append(short)
        divisions_ = set(c.industry_divisions or [])
        codes = {}
        for stage in stages:
            candidates = [x for x in stage_codes_by_stage.get(stage, []) if x in existing_codes]
            # Prefer the GB/T 4754 divisions the cluster is known for (no footwear codes in Humen).
            in_cluster = [x for x in candidates if x[:2] in divisions_]
            codes[stage] = in_cluster or candidates
        precision = "county" if (c.county or divisions.has_no_counties(c.adcode)) else "city"
        plans.append(
            ClusterPlan(
                cluster_id=c.pk,
                slug=c.slug,
                weight=max(int(c.size_weight or 0), 1),
                stages=stages,
                primary=primary,
                others=[s for s in stages if s not in primary],
                province=c.province,
                city=c.prefecture,
                county=c.county,
                adcode=c.adcode,
                precision=precision,
                latitude=float(c.latitude),
                longitude=float(c.longitude),
                address_prefix=f"{c.province}{c.prefecture}{county}{c.town}",
                province_short=_short_place(c.province),
                prefixes=prefixes,
                area_code=V.AREA_CODES.get(c.prefecture, "0571"),
                industry_codes=codes,
            )
        )
    return plans


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder). When there are enough firms,
    every cluster gets at least one, so no cluster page of the demo is empty."""
    if not weights or total <= 0:
        return [0] * len(weights)
    floor = 1 if total >= 2 * len(weights) else 0
    rest = total - floor * len(weights)
    whole = sum(weights)
    exact = [rest * w / whole for w in weights]
    counts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in by_remainder[: rest - sum(counts)]:
        counts[i] += 1
    return [c + floor for c in counts]


@dataclass
class Firm:
    """One generated enterprise, with the codes of its many-to-many relations."""

    enterprise: Enterprise
    cluster_id: int
    stages: list[str]
    industry_codes: list[str]
    certifications: list[str] = field(default_factory=list)


class FirmMaker:
    """Draws firms from one random stream, so a seed always gives the same sequence."""

    def __init__(self, seed: int, taken_usccs: set[str] | None = None):
        self.rng = random.Random(seed)
        self.names: set[str] = set()
        self.usccs: set[str] = set(taken_usccs or ())
        self.products = {s["code"]: s.get("typical_products_zh") or [] for s in stage_data()}
        self.products.update(V.STAGE_PRODUCTS)
        self.units = {s["code"]: s.get("capacity_unit") or "" for s in stage_data()}
        self.now = timezone.now()

    # -- helpers ---------------------------------------------------------------------------------
    def _weighted(self, options):
        values = [o[:-1] if len(o) > 2 else o[0] for o in options]
        return self.rng.choices(values, weights=[o[-1] for o in options])[0]

    def _stages(self, plan: ClusterPlan) -> list[str]:
        rng = self.rng
        if plan.others and rng.random() < 0.25:
            main = rng.choice(plan.others)
        else:
            # The first primary stage is the cluster's signature: it gets the largest share.
            weights = [len(plan.primary) - i + 1 for i in range(len(plan.primary))]
            main = rng.choices(plan.primary, weights=weights)[0]
        stages = [main]
        if len(plan.stages) > 1 and rng.random() < 0.25:
            extra = rng.choice(plan.stages)
            if extra != main:
                stages.append(extra)
        return stages

    def _employees(self, stage: str) -> int:
        value = math.exp(self.rng.gauss(EMPLOYEES_MU.get(stage, 3.0), 1.0))
        return max(1, min(int(value), 20000))

    def _legal_form(self, stage: str, employees: int) -> tuple[str, str, str, str]:
        r = self.rng.random()
        if employees >= 300:
            return V.JOINT_STOCK if r < 0.2 else V.LIMITED_LIABILITY if r < 0.35 else V.LIMITED
        if employees < 10 and stage in V.SHOP_STAGES and r < 0.3:
            if stage == "design":
                return V.STUDIO
            return V.TRADING_DEPT if self.rng.random() < 0.7 else V.TRADING_SHOP
        if employees < 50 and stage in V.MANUFACTURING and r < 0.12:
            return V.FACTORY
        if r < 0.9:
            return V.LIMITED
        return V.LIMITED_LIABILITY if employees < 50 or r < 0.97 else V.JOINT_STOCK

    def _names(self, plan: ClusterPlan, stage: str, legal) -> tuple[str, str]:
        rng = self.rng
        suffix_zh, form, _type, suffix_en = legal
        for attempt in range(200):
            trade = rng.choice(V.TRADE_NAMES)
            if attempt >= 8:  # a crowded name space: a third character tells firms apart
                trade += rng.choice(V.TRADE_EXTRA)
            if attempt >= 100:
                trade += rng.choice(V.TRADE_EXTRA)
            word_zh, word_en = self._weighted(V.BUSINESS_WORDS[stage])
            if form == "individual" and word_zh == "制衣":
                word_zh, word_en = "服装", "Clothing"  # a shop sells clothes, it does not make them
            if form == "joint_stock":
                prefix = plan.province_short if rng.random() < 0.5 else plan.prefixes[0]
            elif form == "individual":
                prefix = plan.prefixes[-1]
            else:
                r = rng.random()
                prefix = "" if r < 0.45 else plan.prefixes[0] if r < 0.75 else plan.prefixes[-1]
            name_zh = f"{prefix}{trade}{word_zh}{suffix_zh}"
            if name_zh not in self.names:
                break
        else:  # pragma: no cover - needs millions of firms in one cluster
            name_zh = f"{prefix}{trade}{word_zh}{len(self.names)}{suffix_zh}"
        self.names.add(name_zh)
        parts = [pinyin_title(prefix) if prefix else "", pinyin_title(trade), word_en, suffix_en]
        return name_zh, " ".join(p for p in parts if p)

    def _uscc(self, plan: ClusterPlan, org_type: str, founded: int) -> str:
        rng = self.rng
        while True:
            # Codes issued since late 2015 carry an "MA…" organisation code; older firms kept
            # their numeric organisation code.
            if founded >= 2016:
                base = "MA" + "".join(rng.choices(CHARSET, k=6))
            else:
                base = rng.choice("3456789") + "".join(rng.choices("0123456789", k=7))
            code = make_uscc("9", org_type, plan.adcode, base)
            if code not in self.usccs:
                self.usccs.add(code)
                return code

    def _products(self, plan: ClusterPlan, stages: list[str]) -> str:
        rng = self.rng
        local = V.CLUSTER_PRODUCTS.get(plan.slug, {})
        chosen: list[str] = []
        for i, stage in enumerate(stages):
            pool = local.get(stage) or self.products.get(stage) or []
            if pool:
                k = min(len(pool), rng.randint(1, 3) if i == 0 else 1)
                chosen += [p for p in rng.sample(pool, k) if p not in chosen]
        return "、".join(chosen)

    def _capacity(self, stage: str, employees: int):
        spec = CAPACITY_PER_EMPLOYEE.get(stage)
        unit = self.units.get(stage, "")
        if spec is None or not unit:
            return None, "", ""
        period, low, high = spec
        value = employees * self.rng.uniform(low, high)
        if value >= 100:
            digits = int(math.floor(math.log10(value))) - 1  # two significant figures
            quantity = Decimal(int(round(value, -digits)))
        else:
            quantity = Decimal(str(max(round(value, 1), 0.1)))
        return quantity, unit, period

    def _certifications(self, stages: list[str], band: str) -> list[str]:
        factor = V.CERTIFICATION_SIZE_FACTOR.get(band, 1.0)
        held: list[str] = []
        for stage in stages:
            for code, odds in V.CERTIFICATION_ODDS.get(stage, ()):
                if code not in held and self.rng.random() < min(odds * factor, 0.95):
                    held.append(code)
        return held

    def _channels(self, stages: list[str]) -> list[str]:
        rng = self.rng
        main = stages[0]
        if "ecommerce" in stages:
            channels = rng.sample(V.DOMESTIC_CHANNELS, rng.randint(2, 4))
            if rng.random() < 0.3:
                channels.append(rng.choice(V.CROSS_BORDER_CHANNELS))
            return channels
        if main in ("garment_making", "home_textiles", "brand", "accessories", "knitting"):
            channels = (
                rng.sample(V.DOMESTIC_CHANNELS, rng.randint(1, 2)) if rng.random() < 0.35 else []
            )
            if rng.random() < 0.08:
                channels.append(rng.choice(V.CROSS_BORDER_CHANNELS))
            return channels
        if main == "wholesale_market" and rng.random() < 0.4:
            return ["1688"]
        return ["1688"] if rng.random() < 0.08 else []

    def _location(self, plan: ClusterPlan) -> tuple[Decimal, Decimal]:
        rng = self.rng
        # Uniform over a disc of MAX_JITTER_KM around the cluster's point.
        r = MAX_JITTER_KM * math.sqrt(rng.random())
        theta = rng.uniform(0, 2 * math.pi)
        lat = plan.latitude + r * math.cos(theta) / 111.0
        lon = plan.longitude + r * math.sin(theta) / (111.0 * math.cos(math.radians(plan.latitude)))
        return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")

    def _person(self) -> str:
        rng = self.rng
        given = "".join(rng.choices(V.GIVEN_CHARS, k=rng.choice((1, 2, 2))))
        return rng.choice(V.SURNAMES) + given

    # -- one firm --------------------------------------------------------------------------------
    def make(self, plan: ClusterPlan) -> Firm:
        rng = self.rng
        stages = self._stages(plan)
        main = stages[0]
        employees = self._employees(main)
        legal = self._legal_form(main, employees)
        if legal[1] == "individual":
            employees = min(employees, 9)
        band = size_band_for(employees)
        founded = min(int(rng.triangular(1980, 2025, 2014)), 2024)
        name_zh, name_en = self._names(plan, main, legal)
        quantity, unit, period = self._capacity(main, employees)
        lat, lon = self._location(plan)
        codes: list[str] = []
        for stage in stages:
            pool = plan.industry_codes.get(stage) or []
            if pool:
                k = 1 if rng.random() < 0.7 else 2
                codes += [c for c in rng.sample(pool, min(k, len(pool))) if c not in codes]
        certifications = self._certifications(stages, band)
        email = ""
        if rng.random() < 0.4:
            email = f"{pinyin_title(name_zh[:2]).lower()}{rng.randint(1, 9999)}@example.com"
        enterprise = Enterprise(
            uscc=self._uscc(plan, legal[2], founded),
            name_zh=name_zh,
            name_en=name_en,
            **name_keys(name_zh, plan.adcode),
            legal_form=legal[1],
            address=f"{plan.address_prefix}{rng.choice(V.ROADS)}{rng.randint(1, 388)}号",
            province=plan.province,
            city=plan.city,
            county=plan.county,
            adcode=plan.adcode,
            latitude=lat,
            longitude=lon,
            geocode_precision=plan.precision,
            main_products=self._products(plan, stages),
            capacity_quantity=quantity,
            capacity_unit=unit,
            capacity_period=period,
            employees=employees,
            size_band=band,
            founded_year=founded,
            ecommerce_channels=self._channels(stages),
            contact_name=self._person(),
            contact_phone=f"{plan.area_code}-{rng.randint(2, 8)}{rng.randint(0, 9999999):07d}",
            contact_email=email,
            contact_visibility={k: self._weighted(v) for k, v in VISIBILITY.items()},
            source=Enterprise.Source.DEMO,
            supplied_at=self.now,
            is_demo=True,
        )
        enterprise.search_text = enterprise_search_text(enterprise)
        enterprise.search_tokens = enterprise_tokens(
            enterprise,
            cluster_ids=[plan.cluster_id],
            stage_codes=stages,
            industry_codes=codes,
            certification_codes=certifications,
        )
        return Firm(enterprise, plan.cluster_id, stages, codes, certifications)


def firm_stream(plans: list[ClusterPlan], total: int, maker: FirmMaker):
    """`total` firms, clusters interleaved at random (so ids and batches mix clusters)."""
    counts = allocate(total, [p.weight for p in plans])
    order = [i for i, n in enumerate(counts) for _ in range(n)]
    maker.rng.shuffle(order)
    for i in order:
        yield maker.make(plans[i])


# --- writing ---------------------------------------------------------------------------------------


def _through(name: str):
    """The auto-created through model of Enterprise.<name> and its two foreign-key attnames."""
    f = Enterprise._meta.get_field(name)
    through = f.remote_field.through
    return through, f.m2m_column_name(), f.m2m_reverse_name()


class Writer:
    def __init__(self):
        self.stage_ids = dict(ChainStage.objects.values_list("code", "id"))
        self.code_ids = dict(IndustryCode.objects.values_list("code", "id"))
        self.cert_ids = dict(Certification.objects.values_list("code", "id"))
        self.relations = [
            (_through("stages"), "stages", self.stage_ids),
            (_through("industry_codes"), "industry_codes", self.code_ids),
            (_through("certifications"), "certifications", self.cert_ids),
        ]

    def write(self, firms: list[Firm]) -> list[int]:
        with transaction.atomic():
            ids = reserve_ids(Enterprise, len(firms))
            for pk, firm in zip(ids, firms, strict=True):
                firm.enterprise.pk = pk
            insert_objects(Enterprise, [f.enterprise for f in firms])
            for (through, left, right), attr, lookup in self.relations:
                keys = [
                    (pk, lookup[code])
                    for pk, firm in zip(ids, firms, strict=True)
                    for code in getattr(firm, attr)
                    if code in lookup
                ]
                insert_links(through, [left, right], keys)
            now = timezone.now()
            insert_links(
                ClusterMembership,
                ["enterprise_id", "cluster_id"],
                [(pk, firm.cluster_id) for pk, firm in zip(ids, firms, strict=True)],
                {
                    "status": ClusterMembership.Status.APPROVED,
                    "requested_by": None,
                    "requested_at": now,
                    "decided_by": None,
                    "decided_at": now,
                    "note": "",
                },
            )
        return ids


def delete_demo_enterprises(chunk: int = 900) -> int:
    """Remove every demo enterprise (is_demo=True), with their memberships and tags.

    Link rows go in one statement each; the enterprises in chunks, through the ORM, so that other
    apps' foreign keys still cascade or protect as they declare.
    """
    demo = Enterprise.objects.filter(is_demo=True)
    with transaction.atomic():
        # Demo organisations speaking for demo firms would protect them; they go too.
        Organisation.objects.filter(is_demo=True, enterprise__is_demo=True).delete()
        for name in ("stages", "industry_codes", "certifications"):
            through, left, _right = _through(name)
            through.objects.filter(**{f"{left}__in": demo.values("id")}).delete()
        ClusterMembership.objects.filter(enterprise__in=demo.values("id")).delete()
    ids = list(demo.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), chunk):
        with transaction.atomic():
            Enterprise.objects.filter(id__in=ids[start : start + chunk]).only("id").delete()
    return len(ids)


@dataclass
class GenerationResult:
    created: int
    deleted: int
    seconds: float
    first_id: int | None
    last_id: int | None

    @property
    def rate(self) -> float:
        return self.created / self.seconds if self.seconds else 0.0


def generate(
    total: int,
    seed: int = 1,
    *,
    batch_size: int = DEFAULT_BATCH,
    replace: bool = False,
    progress: bool | None = None,
) -> GenerationResult:
    """Generate `total` demo enterprises. `progress`: True/False, or None for "when on a terminal"."""
    from tqdm import tqdm

    if total < 0:
        raise ValueError("The number of enterprises cannot be negative.")
    if batch_size < 1:
        raise ValueError("The batch size must be at least 1.")
    started = time.perf_counter()
    deleted = delete_demo_enterprises() if replace else 0
    if not Cluster.objects.exists():
        load_clusters()
    plans = cluster_plans()
    if not plans:
        raise ValueError("There are no clusters to put enterprises in; load them first.")
    taken = set(Enterprise.objects.exclude(uscc=None).values_list("uscc", flat=True))
    maker = FirmMaker(seed, taken)
    writer = Writer()
    first_id = last_id = None
    created = 0
    bar = tqdm(
        total=total,
        unit=" firms",
        file=sys.stderr,
        disable=(None if progress is None else not progress),
        desc="Demo enterprises",
        dynamic_ncols=True,
    )
    with bar:
        batch: list[Firm] = []
        for firm in firm_stream(plans, total, maker):
            batch.append(firm)
            if len(batch) >= batch_size:
                ids = writer.write(batch)
                first_id = first_id or ids[0]
                last_id, created = ids[-1], created + len(ids)
                bar.update(len(batch))
                batch = []
        if batch:
            ids = writer.write(batch)
            first_id = first_id or ids[0]
            last_id, created = ids[-1], created + len(ids)
            bar.update(len(batch))
    seconds = time.perf_counter() - started
    first_cluster = Cluster.objects.filter(pk=plans[0].cluster_id).first()
    record_change(
        actor=None,
        action=AuditRecord.Action.CREATE,
        obj=first_cluster,
        after={
            "demo_enterprises": created,
            "seed": seed,
            "replaced": deleted,
            "first_id": first_id,
            "last_id": last_id,
            "clusters": len(plans),
        },
        reason="Demo enterprises generated (generate_demo)",
    )
    return GenerationResult(created, deleted, seconds, first_id, last_id)
