"""Every derived indicator against figures worked out by hand."""

import re
from decimal import Decimal as D

import pytest
from django.utils.translation import override

from weft.stats import formulas as f


def test_yoy_growth():
    assert f.yoy_growth(D(120), D(100)) == D("0.2")
    assert f.yoy_growth(D(75), D(100)) == D("-0.25")
    # A loss shrinking from −50 to −20 is growth of +60%, not −60%.
    assert f.yoy_growth(D(-20), D(-50)) == D("0.6")
    assert f.yoy_growth(D(10), D(0)) is None
    assert f.yoy_growth(None, D(5)) is None


def test_year_to_date_sums_months_and_refuses_gaps():
    months = {1: D(10), 2: D("12.5"), 3: D(7)}
    assert f.year_to_date(months, 2) == D("22.5")
    assert f.year_to_date(months, 3) == D("29.5")
    assert f.year_to_date({1: D(10), 3: D(7)}, 3) is None


def test_ratios():
    assert f.profit_margin(D(8), D(100)) == D("0.08")
    assert f.profit_margin(D(8), D(0)) is None
    assert f.output_per_employee(D(3_000_000), D(20)) == D(150_000)
    assert f.export_share(D(25), D(200)) == D("0.125")
    # 50 tce for 2,000,000 yuan of output: 200 ten-thousands of yuan → 0.25 tce per 10,000 yuan.
    assert f.per_10k_yuan(D(50), D(2_000_000)) == D("0.25")
    assert f.per_10k_yuan(D(50), D(0)) is None


def test_location_quotient():
    # Cluster: garments 60 of 100; nation: garments 300 of 1,000 → (0.6)/(0.3) = 2.
    assert f.location_quotient(D(60), D(100), D(300), D(1000)) == D(2)
    assert f.location_quotient(D(60), D(100), D(0), D(1000)) is None


def test_concentration():
    values = [D(40), D(30), D(10), D(10), D(5), D(5)]
    assert f.top_share(values, 4) == D("0.9")
    assert f.top_share(values, 10) == D(1)
    # Shares 40,30,10,10,5,5 % → 1600+900+100+100+25+25 = 2750.
    assert f.hhi(values) == D(2750)
    assert f.hhi([D(7)]) == D(10000)
    assert f.hhi([]) is None
    # Non-positive figures are not market shares.
    assert f.hhi([D(50), D(50), D(0), D(-3)]) == D(5000)


def test_shift_share_hand_computed():
    # Nation: A 1000→1100 (+10%), B 1000→1300 (+30%); overall 2000→2400, G = 20%.
    # Cluster: A 100→130 (+30%), B 50→55 (+10%); actual change = 35.
    # NS: A 100·0.2 = 20, B 50·0.2 = 10 → 30
    # IM: A 100·(0.1−0.2) = −10, B 50·(0.3−0.2) = 5 → −5
    # LS: A 100·(0.3−0.1) = 20, B 50·(0.1−0.3) = −10 → 10
    result = f.shift_share(
        {"A": D(100), "B": D(50)},
        {"A": D(130), "B": D(55)},
        {"A": D(1000), "B": D(1000)},
        {"A": D(1100), "B": D(1300)},
    )
    assert result.actual_change == D(35)
    assert result.national == D(30)
    assert result.industry_mix == D(-5)
    assert result.local == D(10)
    assert result.total == result.actual_change
    assert result.by_sector["A"] == {
        "national": D(20),
        "industry_mix": D(-10),
        "local": D(20),
        "change": D(30),
    }


def test_shift_share_new_sector_and_sums_always_match():
    result = f.shift_share(
        {"A": D("123.45")},
        {"A": D("98.7"), "C": D("40")},
        {"A": D(777), "C": D(10)},
        {"A": D(801), "C": D(13)},
    )
    assert result.by_sector["C"]["local"] == D(40)
    assert result.national + result.industry_mix + result.local == D("98.7") + 40 - D("123.45")
    assert f.shift_share({"A": D(1)}, {"A": D(2)}, {}, {}) is None


def test_barometer():
    assert f.component_index(D("0.05")) == D(105)
    assert f.component_index(D("-0.3")) == D(70)
    assert f.component_index(D("3")) == D(200)
    assert f.component_index(None) is None
    weights = {"output": D(2), "revenue": D(1), "exports": D(1)}
    # (2·110 + 1·90 + 1·100) / 4 = 102.5
    assert f.composite_index({"output": D(110), "revenue": D(90), "exports": D(100)}, weights) == D(
        "102.5"
    )
    # A component that cannot be computed drops out with its weight: (2·110 + 90)/3.
    assert f.composite_index({"output": D(110), "revenue": D(90), "exports": None}, weights) == (
        D(310) / D(3)
    )


@pytest.mark.parametrize(
    ("value", "higher", "expected"),
    [(D(5), True, D(50)), (D(10), True, D(100)), (D(0), False, D(100)), (D("2.5"), False, D(75))],
)
def test_min_max_score(value, higher, expected):
    assert f.min_max_score(value, D(0), D(10), higher_is_better=higher) == expected


def test_median():
    assert f.median([D(3), D(1), D(2)]) == D(2)
    assert f.median([D(4), D(1), D(2), D(3)]) == D("2.5")
    assert f.median([None]) is None


# The function that computes each figure explained in FORMULAS.
COMPUTED_BY = {
    "yoy_growth": f.yoy_growth,
    "ytd": f.year_to_date,
    "profit_margin": f.profit_margin,
    "output_per_employee": f.output_per_employee,
    "export_share": f.export_share,
    "energy_per_10k": f.per_10k_yuan,
    "water_per_10k": f.per_10k_yuan,
    "location_quotient": f.location_quotient,
    "cr4": f.top_share,
    "cr10": f.top_share,
    "hhi": f.hhi,
    "shift_share": f.shift_share,
    "barometer": f.composite_index,
    "barometer_component": f.component_index,
    "score": f.min_max_score,
    "percentile": f.percentile_score,
}


def test_every_formula_is_documented():
    """Each figure's function states its formula for developers, and readers get the formula in
    English and in Chinese."""
    assert set(COMPUTED_BY) == set(f.FORMULAS)
    for key, function in COMPUTED_BY.items():
        assert function.__doc__ and "=" in function.__doc__, function.__name__
        with override("en"):
            en = str(f.FORMULAS[key])
        with override("zh-hans"):
            zh = str(f.FORMULAS[key])
        assert "=" in en and "=" in zh, key
        assert zh != en and re.search(r"[\u4e00-\u9fff]", zh), f"{key} is not translated"
