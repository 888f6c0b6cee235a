"""Chain strength and gap diagnosis from figures alone (no database): see services.recompute.

A stage is *strong* in a cluster when its share of the cluster's employees is at least
STRONG_QUOTIENT of its share nationally (a location quotient), *weak* when the cluster has some
firms in it but less, *missing* when none.

A gap is an input the cluster's specialty stages depend on (links into its primary stages) that
the cluster supplies too little of: local supply per worker of the consumer stage, divided by the
same ratio nationally (coverage). Coverage below WEAK_COVERAGE is a gap; none at all is missing.
Severity is the link's weight times the shortfall (1 − coverage).
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from .graph import GROUP_NAMES
from .selectors import StageFigures

STRONG_QUOTIENT = 0.8
WEAK_COVERAGE = 0.5
MIN_CONSUMER_EMPLOYEES = 50  # below this a cluster barely makes anything: no gaps to speak of

UNITS_ZH = {"pieces": "件", "metres": "米", "tonnes": "吨", "sets": "台套"}


@dataclass
class Link:
    supplier: str
    consumer: str
    group: str  # group key (the supplier's code when alone)
    weight: float


@dataclass
class StageInfo:
    code: str
    name_zh: str
    name_en: str
    unit: str = ""


@dataclass
class Gap:
    cluster_id: int
    consumer: str
    group: str
    stages: list[str]
    level: str
    severity: float
    coverage: float
    evidence_zh: str
    evidence_en: str


@dataclass
class National:
    employees: dict[str, int]
    total_employees: int
    firms: dict[str, int]
    capacity: dict[str, Decimal]

    @classmethod
    def of(cls, figures: dict[int, dict[str, StageFigures]]) -> "National":
        employees: dict[str, int] = defaultdict(int)
        firms: dict[str, int] = defaultdict(int)
        capacity: dict[str, Decimal] = defaultdict(Decimal)
        for by_stage in figures.values():
            for code, f in by_stage.items():
                employees[code] += f.employees
                firms[code] += f.firms
                if f.capacity:
                    capacity[code] += f.capacity
        total = sum(employees.values())
        return cls(dict(employees), total, dict(firms), dict(capacity))


def level_of(f: StageFigures | None, cluster_total: int, national: National, code: str):
    """(level, location quotient) of one stage in one cluster."""
    if f is None or f.firms == 0:
        return "missing", 0.0
    nat = national.employees.get(code, 0)
    if not cluster_total or not nat or not national.total_employees:
        return "weak", 0.0
    quotient = (f.employees / cluster_total) / (nat / national.total_employees)
    return ("strong" if quotient >= STRONG_QUOTIENT else "weak"), quotient


def group_of(links: list[Link]) -> dict[tuple[str, str], list[Link]]:
    """(consumer, group) → the links of that group."""
    out: dict[tuple[str, str], list[Link]] = defaultdict(list)
    for link in links:
        out[(link.consumer, link.group)].append(link)
    return out


def norm_ratio(group_links: list[Link], consumer: str, national: National) -> float:
    """National workers of the input group per worker of the consumer stage."""
    consumer_emp = national.employees.get(consumer, 0)
    supply = sum(national.employees.get(link.supplier, 0) for link in group_links)
    return supply / consumer_emp if consumer_emp else 0.0


def spare_employees(
    by_stage: dict[str, StageFigures], links: list[Link], national: National
) -> dict[str, float]:
    """Per stage: workers beyond what the cluster's own consumers of the stage need.

    Nationally a supplier stage serves all its consumer stages together, so the cluster needs the
    national supplier workforce times the cluster's share of the nation's consumer workforce.
    """
    consumers: dict[str, set[str]] = defaultdict(set)
    for link in links:
        consumers[link.supplier].add(link.consumer)
    spare = {}
    for code, f in by_stage.items():
        nat_consumers = sum(national.employees.get(c, 0) for c in consumers.get(code, ()))
        local_consumers = sum(
            by_stage[c].employees for c in consumers.get(code, ()) if c in by_stage
        )
        need = (
            national.employees.get(code, 0) * local_consumers / nat_consumers
            if nat_consumers
            else 0
        )
        spare[code] = max(0.0, f.employees - need)
    return spare


def _number_en(value) -> str:
    value = float(value)
    if value >= 1e9:
        return f"{value / 1e9:.1f} billion"
    if value >= 1e6:
        return f"{value / 1e6:.1f} million"
    return f"{value:,.0f}"


def _number_zh(value) -> str:
    value = float(value)
    if value >= 1e8:
        return f"{value / 1e8:.1f}亿"
    if value >= 1e4:
        return f"{value / 1e4:.1f}万"
    return f"{value:,.0f}"


def describe_stage(f: StageFigures | None, info: StageInfo) -> tuple[str, str]:
    """'garment making: 1,200 firms, 30,000 employees, capacity 40.0 million pieces a year'."""
    if f is None or f.firms == 0:
        return f"本地{info.name_zh}：无", f"local {info.name_en.lower()}: none"
    zh = f"{info.name_zh}{f.firms}家企业、{f.employees}名员工"
    en = f"{info.name_en.lower()}: {f.firms:,} firms, {f.employees:,} employees"
    amount = f.output if f.output else f.capacity
    if amount and info.unit:
        what_zh = "年产量" if f.output else "年产能"
        what_en = "output" if f.output else "capacity"
        zh += f"，{what_zh}{_number_zh(amount)}{UNITS_ZH.get(info.unit, info.unit)}"
        en += f", {what_en} {_number_en(amount)} {info.unit} a year"
    return zh, en


def group_label(group: str, group_links: list[Link], infos: dict[str, StageInfo]):
    names = [infos[link.supplier] for link in group_links if link.supplier in infos]
    if group in GROUP_NAMES:
        zh, en = GROUP_NAMES[group]
        return (
            f"{zh}（{'、'.join(n.name_zh for n in names)}）",
            f"{en} ({', '.join(n.name_en.lower() for n in names)})",
        )
    return names[0].name_zh, names[0].name_en.lower()


def diagnose(
    cluster_id: int,
    primary: list[str],
    by_stage: dict[str, StageFigures],
    links: list[Link],
    national: National,
    infos: dict[str, StageInfo],
) -> list[Gap]:
    """The gaps of one cluster, the most severe first; one per input group (worst consumer)."""
    best: dict[str, Gap] = {}
    for (consumer, group), group_links in group_of(links).items():
        if consumer not in primary:
            continue
        local = by_stage.get(consumer)
        if local is None or local.employees < MIN_CONSUMER_EMPLOYEES:
            continue
        ratio = norm_ratio(group_links, consumer, national)
        if ratio <= 0:
            continue
        supply = sum(
            by_stage[link.supplier].employees for link in group_links if link.supplier in by_stage
        )
        coverage = (supply / local.employees) / ratio
        if coverage >= WEAK_COVERAGE:
            continue
        weight = max(link.weight for link in group_links)
        severity = round(weight * (1 - coverage), 4)
        level = "missing" if supply == 0 else "weak"
        c_zh, c_en = describe_stage(local, infos[consumer])
        g_zh, g_en = group_label(group, group_links, infos)
        if level == "missing":
            s_zh, s_en = f"本地{g_zh}：无", f"local {g_en}: none"
        else:
            parts = [
                describe_stage(by_stage.get(link.supplier), infos[link.supplier])
                for link in group_links
                if link.supplier in by_stage
            ]
            s_zh = "本地" + "；".join(p[0] for p in parts)
            s_en = "local " + "; ".join(p[1] for p in parts)
            s_zh += f"——仅为全国同等规模应有水平的{coverage:.0%}"
            s_en += f" — only {coverage:.0%} of what the national norm gives for this much {infos[consumer].name_en.lower()}"
        gap = Gap(
            cluster_id=cluster_id,
            consumer=consumer,
            group=group,
            stages=[link.supplier for link in group_links],
            level=level,
            severity=severity,
            coverage=round(coverage, 4),
            evidence_zh=f"{c_zh}；{s_zh}。",
            evidence_en=f"{c_en[0].upper()}{c_en[1:]}; {s_en}.",
        )
        if group not in best or gap.severity > best[group].severity:
            best[group] = gap
    return sorted(best.values(), key=lambda g: (-g.severity, g.group))


def with_talent_shortage(
    gaps: list[Gap],
    cluster_id: int,
    primary: list[str],
    links: list[Link],
    infos: dict[str, StageInfo],
    shortage,
) -> list[Gap]:
    """Fold a design-talent shortage (from the talent app's open posts and available designers)
    into the gaps: it strengthens a design gap found in the registry, or makes one where the
    registry alone shows none. `shortage` is None or a talent.selectors.DesignShortage."""
    if shortage is None or not shortage.is_shortage:
        return gaps
    design_links = [k for k in links if k.supplier == "design" and k.consumer in primary]
    if not design_links:
        return gaps
    link = max(design_links, key=lambda k: k.weight)
    severity = round(link.weight * shortage.severity, 4)
    t_zh = f"人才：{shortage.openings}个设计师岗位在招，集群内可用设计师{shortage.candidates}人"
    t_en = (
        f"talent: {shortage.openings} designer posts open, "
        f"designers available in the cluster: {shortage.candidates}"
    )
    existing = next((g for g in gaps if g.group == "design"), None)
    if existing:
        existing.severity = max(existing.severity, severity)
        existing.evidence_zh = existing.evidence_zh.rstrip("。") + f"；{t_zh}。"
        existing.evidence_en = existing.evidence_en.rstrip(".") + f"; {t_en}."
    else:
        gaps.append(
            Gap(
                cluster_id=cluster_id,
                consumer=link.consumer,
                group="design",
                stages=["design"],
                level="weak",
                severity=severity,
                coverage=round(1 - shortage.severity, 4),
                evidence_zh=f"{infos['design'].name_zh}：{t_zh}。",
                evidence_en=f"{infos['design'].name_en}: {t_en}.",
            )
        )
    return sorted(gaps, key=lambda g: (-g.severity, g.group))
