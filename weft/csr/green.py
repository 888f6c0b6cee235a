"""Green production figures: energy, water and wastewater intensity per 10,000 yuan of output,
compared with peers of the same industry code.

The reported figures belong to the statistics app. This module reads them through one seam:
the setting WEFT_GREEN_FIGURES names a function `(cluster, year) -> list[FirmFigures]`. Until it
is set, intensities are reported as unavailable and only permits are shown.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from django.conf import settings
from django.utils.module_loading import import_string

TEN_THOUSAND = Decimal(10000)
PLACES = Decimal("0.0001")
MEASURES = (
    ("energy", "tce"),  # tonnes of standard coal equivalent
    ("water", "m³"),
    ("wastewater", "t"),
)


@dataclass(frozen=True)
class FirmFigures:
    enterprise_id: int
    name: str
    industry_code: str  # GB/T 4754 class or group, e.g. "1713"
    output_yuan: Decimal  # industrial output value in yuan
    energy: Decimal | None = None  # tce
    water: Decimal | None = None  # m³
    wastewater: Decimal | None = None  # tonnes


def figure_source():
    path = getattr(settings, "WEFT_GREEN_FIGURES", "")
    return import_string(path) if path else None


def intensity(amount: Decimal | None, output_yuan: Decimal) -> Decimal | None:
    """Amount per 10,000 yuan of output, four places; None without an amount or an output."""
    if amount is None or not output_yuan:
        return None
    return (amount * TEN_THOUSAND / output_yuan).quantize(PLACES, rounding=ROUND_HALF_UP)


def _peer_medians(rows: list[dict]) -> dict[tuple[str, str], Decimal]:
    by_peer: dict[tuple[str, str], list[Decimal]] = {}
    for row in rows:
        for measure, _unit in MEASURES:
            value = row[measure]
            if value is not None:
                by_peer.setdefault((row["industry_code"], measure), []).append(value)
    return {k: Decimal(median(v)).quantize(PLACES) for k, v in by_peer.items()}


def cluster_green(cluster, year: int) -> dict:
    source = figure_source()
    if source is None:
        return {"available": False, "year": year, "units": _units(), "firms": [], "cluster": None}
    figures: list[FirmFigures] = source(cluster, year)
    rows = [
        {
            "enterprise_id": f.enterprise_id,
            "name": f.name,
            "industry_code": f.industry_code,
            "output_yuan": f.output_yuan,
            **{m: intensity(getattr(f, m), f.output_yuan) for m, _u in MEASURES},
        }
        for f in figures
    ]
    medians = _peer_medians(rows)
    for row in rows:
        # Ratio to the median of the same industry code: 1.0 is typical, below 1 is greener.
        for measure, _unit in MEASURES:
            peer = medians.get((row["industry_code"], measure))
            value = row[measure]
            row[f"{measure}_vs_peers"] = (
                (value / peer).quantize(Decimal("0.01")) if value is not None and peer else None
            )
    rows.sort(key=lambda r: (r["energy"] is None, r["energy"] or 0))
    total_output = sum((f.output_yuan for f in figures), Decimal(0))
    totals = {
        m: intensity(sum((getattr(f, m) or 0 for f in figures), Decimal(0)), total_output)
        for m, _u in MEASURES
    }
    return {"available": True, "year": year, "units": _units(), "firms": rows, "cluster": totals}


def _units() -> dict:
    return {m: f"{u}/10,000 yuan" for m, u in MEASURES}
