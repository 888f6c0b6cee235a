"""A cluster's derived indicators from the database, against figures worked out by hand."""

from decimal import Decimal as D

import pytest

from weft.registry.models import IndustryCode
from weft.stats import selectors, services

from ..factories import make_enterprise

pytestmark = pytest.mark.django_db


def test_location_quotient_concentration_and_shift_share(world):
    y24, y25 = services.period_for("year", 2024), services.period_for("year", 2025)
    # Humen: a garment firm (division 18) and a weaving firm (17, and 18: primary is 17).
    garment = world.firm
    garment.industry_codes.set([IndustryCode.objects.get(code="18")])
    weaver = make_enterprise(
        name_zh="东莞市虎门镇织布有限公司", cluster=world.humen, stages=("weaving",)
    )
    weaver.industry_codes.set(IndustryCode.objects.filter(code__in=["17", "18"]))
    # Keqiao: a weaving firm (17) only, so the nation is Humen + Keqiao.
    world.other_firm.industry_codes.set([IndustryCode.objects.get(code="17")])
    figures = {
        (garment, y24): 100, (garment, y25): 130,
        (weaver, y24): 50, (weaver, y25): 55,
        (world.other_firm, y24): 950, (world.other_firm, y25): 1245,
    }  # fmt: skip
    for (firm, period), amount in figures.items():
        services.submit_figures(
            world.operator, firm, period, {"output_value": str(amount)},
            confirmed={"output_value"}, reasons={"output_value": "test"},
        )  # fmt: skip
    lq = {row["stage"]: row["lq"] for row in selectors.location_quotients(world.humen, y25)}
    # Humen garments 130 of 185; nation garments 130 of 1430 → (130/185)/(130/1430) = 1430/185.
    assert lq["garment_making"] == D(1430) / D(185)
    # Weaving: (55/185)/((55+1245)/1430).
    assert lq["weaving"] == (D(55) / D(185)) / (D(1300) / D(1430))
    conc = selectors.concentration(world.humen, y25)
    assert conc["firms"] == 2 and conc["cr4"] == 1
    # Shares 130/185 and 55/185 in %: HHI = (13000/185)² + (5500/185)².
    assert conc["hhi"] == (D(13000) / D(185)) ** 2 + (D(5500) / D(185)) ** 2
    ss = selectors.shift_share(world.humen, y24, y25)
    # Nation: 17 = weaver + Keqiao 1000 → 1300 (+30%); 18 = garment 100 → 130 (+30%); G = 30%.
    assert ss["actual_change"] == D(35)
    assert ss["national"] == D(150) * D("0.3")
    assert ss["industry_mix"] == 0
    assert ss["national"] + ss["industry_mix"] + ss["local"] == ss["actual_change"]
    assert set(ss["by_sector"]) == {"17", "18"}


def test_green_figures_feed_the_green_comparison(world):
    from weft.csr.green import cluster_green

    y25 = services.period_for("year", 2025)
    world.firm.industry_codes.set(IndustryCode.objects.filter(code__in=["18", "181"]))
    other = make_enterprise(name_zh="东莞市虎门镇绿色制衣有限公司", cluster=world.humen)
    other.industry_codes.set([IndustryCode.objects.get(code="181")])
    figures = {
        world.firm: {"output_value": "2000000", "energy_use": "100", "water_use": "5000"},
        other: {"output_value": "1000000", "energy_use": "100"},
        world.other_firm: {"output_value": "9000000", "energy_use": "1"},  # Keqiao: not counted
    }
    for firm, values in figures.items():
        services.submit_figures(
            world.operator, firm, y25, values, confirmed=set(values),
            reasons=dict.fromkeys(values, "test"),
        )  # fmt: skip
    rows = {f.name: f for f in selectors.green_figures(world.humen, 2025)}
    assert set(rows) == {world.firm.name_zh, other.name_zh}
    assert rows[world.firm.name_zh].industry_code == "181"  # the most specific code
    assert rows[world.firm.name_zh].energy == D("100") and rows[other.name_zh].water is None
    data = cluster_green(world.humen, 2025)  # through settings.WEFT_GREEN_FIGURES
    assert data["available"]
    # 200 tce over 3,000,000 yuan = 0.6667 tce per 10,000 yuan.
    assert data["cluster"]["energy"] == D("0.6667")
    assert selectors.green_figures(world.humen, 2019) == []
