"""Derived indicators as pure functions of Decimal figures (no database here).

Each function's docstring states its formula for developers; FORMULAS below holds the same
formula as translatable text, shown to readers beside the number in their language. Keep the two
in step, so what a reader sees is what the code computes. None means "cannot be computed"
(missing or zero denominator), never zero.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

D0 = Decimal(0)
TEN_THOUSAND = Decimal(10000)


def _ratio(num, den) -> Decimal | None:
    if num is None or den is None or den == 0:
        return None
    return Decimal(num) / Decimal(den)


def yoy_growth(current, same_period_last_year) -> Decimal | None:
    """Year-on-year growth = (current − same period last year) / same period last year."""
    if current is None or same_period_last_year is None or same_period_last_year == 0:
        return None
    return (Decimal(current) - Decimal(same_period_last_year)) / abs(Decimal(same_period_last_year))


def year_to_date(monthly: Mapping[int, Decimal], month: int) -> Decimal | None:
    """Year-to-date total = sum of the monthly figures from January to the month (flows only);
    None if any of those months is missing, so a gap is never read as zero."""
    months = range(1, month + 1)
    if any(monthly.get(m) is None for m in months):
        return None
    return sum((Decimal(monthly[m]) for m in months), D0)


def profit_margin(profit, revenue) -> Decimal | None:
    """Profit margin = total profit / main business revenue."""
    return _ratio(profit, revenue)


def output_per_employee(output, employees) -> Decimal | None:
    """Output per employee = industrial output value / employees (yuan per person)."""
    return _ratio(output, employees)


def export_share(exports, output) -> Decimal | None:
    """Export share = export delivery value / industrial output value."""
    return _ratio(exports, output)


def per_10k_yuan(quantity, output) -> Decimal | None:
    """Intensity = quantity (energy in tce, water in m³) / (industrial output value / 10,000)."""
    if output is None or output == 0 or quantity is None:
        return None
    return Decimal(quantity) / (Decimal(output) / TEN_THOUSAND)


def location_quotient(local_sector, local_total, national_sector, national_total) -> Decimal | None:
    """Location quotient LQ = (local sector / local total) / (national sector / national total);
    above 1 the cluster is more specialised in the sector than the nation."""
    local = _ratio(local_sector, local_total)
    national = _ratio(national_sector, national_total)
    if local is None or national is None or national == 0:
        return None
    return local / national


def _shares(values: Iterable) -> list[Decimal]:
    vals = sorted((Decimal(v) for v in values if v is not None and v > 0), reverse=True)
    total = sum(vals, D0)
    return [v / total for v in vals] if total else []


def top_share(values: Iterable, n: int) -> Decimal | None:
    """Top-n share CRn = sum of the n largest firms' values / sum of all firms' values."""
    shares = _shares(values)
    return sum(shares[:n], D0) if shares else None


def hhi(values: Iterable) -> Decimal | None:
    """Herfindahl–Hirschman index = Σ (firm share in %)², from 0 (atomised) to 10,000 (one firm)."""
    shares = _shares(values)
    return sum(((s * 100) ** 2 for s in shares), D0) if shares else None


@dataclass(frozen=True)
class ShiftShare:
    actual_change: Decimal
    national: Decimal
    industry_mix: Decimal
    local: Decimal
    by_sector: dict

    @property
    def total(self) -> Decimal:
        return self.national + self.industry_mix + self.local


def shift_share(
    local_start: Mapping[str, Decimal],
    local_end: Mapping[str, Decimal],
    national_start: Mapping[str, Decimal],
    national_end: Mapping[str, Decimal],
) -> ShiftShare | None:
    """Shift-share of a cluster's change, sector i, cluster figures e, national figures E,
    start 0 and end 1; G = national growth overall, Gᵢ = national growth of sector i,
    gᵢ = the cluster's growth in sector i:
      national component   NSᵢ = eᵢ₀ · G
      industry-mix         IMᵢ = eᵢ₀ · (Gᵢ − G)
      local (competitive)  LSᵢ = eᵢ₀ · (gᵢ − Gᵢ)
    and NS + IM + LS = Σ (eᵢ₁ − eᵢ₀), the actual change. Sectors with no start figure in the
    cluster contribute their whole end figure to the local component."""
    n0 = sum((Decimal(v) for v in national_start.values()), D0)
    n1 = sum((Decimal(v) for v in national_end.values()), D0)
    if n0 == 0:
        return None
    g_nation = (n1 - n0) / n0
    parts, ns_total, im_total, ls_total, actual = {}, D0, D0, D0, D0
    for sector in sorted(set(local_start) | set(local_end)):
        e0 = Decimal(local_start.get(sector) or 0)
        e1 = Decimal(local_end.get(sector) or 0)
        s0 = Decimal(national_start.get(sector) or 0)
        s1 = Decimal(national_end.get(sector) or 0)
        g_sector = (s1 - s0) / s0 if s0 else g_nation
        ns = e0 * g_nation
        im = e0 * (g_sector - g_nation)
        ls = (e1 - e0) - ns - im  # equals e0·(gᵢ − Gᵢ) when e0 > 0; all of e1 when e0 = 0
        parts[sector] = {"national": ns, "industry_mix": im, "local": ls, "change": e1 - e0}
        ns_total, im_total, ls_total, actual = (
            ns_total + ns,
            im_total + im,
            ls_total + ls,
            actual + e1 - e0,
        )
    return ShiftShare(actual, ns_total, im_total, ls_total, parts)


def component_index(growth: Decimal | None) -> Decimal | None:
    """Barometer component = 100 × (1 + year-on-year growth of the panel), held within 0–200;
    100 means the same as a year before."""
    if growth is None:
        return None
    return min(max(Decimal(100) * (1 + growth), D0), Decimal(200))


def composite_index(components: Mapping[str, Decimal | None], weights: Mapping[str, Decimal]):
    """Barometer = Σ wₖ · componentₖ / Σ wₖ over the components that could be computed."""
    used = {k: v for k, v in components.items() if v is not None and k in weights}
    total_weight = sum((Decimal(weights[k]) for k in used), D0)
    if not total_weight:
        return None
    return sum((Decimal(weights[k]) * v for k, v in used.items()), D0) / total_weight


def min_max_score(value, low, high, *, higher_is_better: bool = True) -> Decimal | None:
    """Normalised score = 100 × (x − min) / (max − min) over the clusters assessed (reversed
    when lower is better); 50 when every cluster has the same value."""
    if value is None or low is None or high is None:
        return None
    value, low, high = Decimal(value), Decimal(low), Decimal(high)
    if high == low:
        return Decimal(50)
    score = Decimal(100) * (value - low) / (high - low)
    return score if higher_is_better else Decimal(100) - score


def median(values: Iterable) -> Decimal | None:
    vals = sorted(Decimal(v) for v in values if v is not None)
    if not vals:
        return None
    mid = len(vals) // 2
    return vals[mid] if len(vals) % 2 else (vals[mid - 1] + vals[mid]) / 2


def percentile_score(value, values: Iterable, *, higher_is_better: bool = True) -> Decimal | None:
    """Percentile score = 100 × (clusters below + ½ × other clusters level with it) / (clusters
    assessed − 1), among the clusters with a value (reversed when lower is better); 50 when it is
    the only one. Unlike min–max, one extreme cluster does not squeeze everybody else's scores."""
    if value is None:
        return None
    value = Decimal(value)
    vals = [Decimal(v) for v in values if v is not None]
    if len(vals) < 2:
        return Decimal(50)
    below = sum(1 for v in vals if v < value)
    level = sum(1 for v in vals if v == value) - 1
    score = Decimal(100) * (below + Decimal(level) / 2) / (len(vals) - 1)
    return score if higher_is_better else Decimal(100) - score


# The explanation shown beside each figure, keyed as the templates use it.
FORMULAS = {
    "yoy_growth": _(
        "Year-on-year growth = (current − same period last year) / same period last year."
    ),
    "ytd": _(
        "Year-to-date total = sum of the monthly figures from January to the month (flows "
        "only); none is shown if any of those months is missing, so a gap is never read as zero."
    ),
    "profit_margin": _("Profit margin = total profit / main business revenue."),
    "output_per_employee": _(
        "Output per employee = industrial output value / employees (yuan per person)."
    ),
    "export_share": _("Export share = export delivery value / industrial output value."),
    "energy_per_10k": _(
        "Energy per 10,000 yuan of output = energy use (tce) / (industrial output value / 10,000)."
    ),
    "water_per_10k": _(
        "Water per 10,000 yuan of output = water use (m³) / (industrial output value / 10,000)."
    ),
    "location_quotient": _(
        "Location quotient LQ = (local sector / local total) / (national sector / national "
        "total); above 1 the cluster is more specialised in the sector than the nation."
    ),
    "cr4": _("Top-n share CRn = sum of the n largest firms' values / sum of all firms' values."),
    "cr10": _("Top-n share CRn = sum of the n largest firms' values / sum of all firms' values."),
    "hhi": _(
        "Herfindahl–Hirschman index = Σ (firm share in %)², from 0 (atomised) to 10,000 (one firm)."
    ),
    "shift_share": _(
        "Shift-share of a cluster's change (sector i, cluster figures e, start 0 and end 1; "
        "G = national growth overall, Gᵢ = national growth of sector i, gᵢ = the cluster's "
        "growth in sector i):\n"
        "national component NSᵢ = eᵢ₀ · G\n"
        "industry-mix component IMᵢ = eᵢ₀ · (Gᵢ − G)\n"
        "local (competitive) component LSᵢ = eᵢ₀ · (gᵢ − Gᵢ)\n"
        "NS + IM + LS = Σ (eᵢ₁ − eᵢ₀), the actual change. Sectors with no start figure in the "
        "cluster contribute their whole end figure to the local component."
    ),
    "barometer": _(
        "Barometer = Σ wₖ · componentₖ / Σ wₖ over the components that could be computed."
    ),
    "barometer_component": _(
        "Barometer component = 100 × (1 + year-on-year growth of the panel), held within "
        "0–200; 100 means the same as a year before."
    ),
    "score": _(
        "Normalised score = 100 × (x − min) / (max − min) over the clusters assessed "
        "(reversed when lower is better); 50 when every cluster has the same value."
    ),
    "percentile": _(
        "Percentile score = 100 × (clusters below + ½ × other clusters level with it) / "
        "(clusters assessed − 1), among the clusters with a value (reversed when lower is "
        "better); 50 when it is the only one. Unlike min–max, one extreme cluster does not "
        "squeeze everybody else's scores."
    ),
}


def bilingual_formulas() -> dict[str, str]:
    """FORMULAS in Chinese then English, for the annual reports, which are bilingual whatever the
    reader's language."""
    texts = {}
    for key, text in FORMULAS.items():
        with override("zh-hans"):
            zh = str(text)
        with override("en"):
            en = str(text)
        texts[key] = f"{zh} {en}"
    return texts
