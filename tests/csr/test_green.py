"""Green intensities through the statistics seam (WEFT_GREEN_FIGURES), computed by hand."""

from decimal import Decimal

import pytest
from django.test import Client

from weft.csr.green import FirmFigures, cluster_green, intensity

pytestmark = pytest.mark.django_db


def figures(cluster, year):
    """Stands where the statistics app's reported figures will come from (see the module doc)."""
    return [
        # 2,000,000 yuan, 100 tce → 0.5 tce per 10,000 yuan.
        FirmFigures(
            1, "甲", "1713", Decimal("2000000"), Decimal("100"), Decimal("5000"), Decimal("4000")
        ),
        # 1,000,000 yuan, 100 tce → 1.0.
        FirmFigures(2, "乙", "1713", Decimal("1000000"), Decimal("100"), None, Decimal("1000")),
        # 4,000,000 yuan, 100 tce → 0.25, another industry code.
        FirmFigures(3, "丙", "1810", Decimal("4000000"), Decimal("100"), Decimal("800"), None),
    ]


def test_intensity_per_10000_yuan():
    assert intensity(Decimal("100"), Decimal("2000000")) == Decimal("0.5000")
    assert intensity(None, Decimal("1")) is None
    assert intensity(Decimal("1"), Decimal("0")) is None


def test_without_the_seam_figures_are_unavailable(world, settings):
    settings.WEFT_GREEN_FIGURES = ""
    data = cluster_green(world.humen, 2025)
    assert data["available"] is False and data["firms"] == []


def test_peer_comparison_and_cluster_totals(world, settings):
    settings.WEFT_GREEN_FIGURES = "tests.csr.test_green.figures"
    data = cluster_green(world.humen, 2025)
    rows = {r["name"]: r for r in data["firms"]}
    assert [r["name"] for r in data["firms"]] == ["丙", "甲", "乙"]  # greenest energy first
    assert rows["甲"]["energy"] == Decimal("0.5000")
    # Peers of 1713: median of 0.5 and 1.0 = 0.75; 0.5 / 0.75 = 0.67, 1.0 / 0.75 = 1.33.
    assert rows["甲"]["energy_vs_peers"] == Decimal("0.67")
    assert rows["乙"]["energy_vs_peers"] == Decimal("1.33")
    assert rows["丙"]["energy_vs_peers"] == Decimal("1.00")  # alone in 1810
    assert rows["乙"]["water"] is None and rows["乙"]["water_vs_peers"] is None
    # Cluster: 300 tce over 7,000,000 yuan = 0.4286 tce per 10,000 yuan.
    assert data["cluster"]["energy"] == Decimal("0.4286")


def test_api_shows_firm_rows_only_to_the_office_and_operator(world, settings):
    settings.WEFT_GREEN_FIGURES = "tests.csr.test_green.figures"
    url = f"/api/v1/green/clusters/{world.humen.pk}?year=2025"
    public = Client(HTTP_ACCEPT_LANGUAGE="en").get(url).json()
    assert (
        public["available"] and public["firms"] is None and public["cluster"]["energy"] == "0.4286"
    )
    office = Client(HTTP_ACCEPT_LANGUAGE="en")
    office.force_login(world.humen_office)
    assert len(office.get(url).json()["firms"]) == 3
    foreign = Client(HTTP_ACCEPT_LANGUAGE="en")
    foreign.force_login(world.keqiao_office)
    assert foreign.get(url).json()["firms"] is None
    bad = Client(HTTP_ACCEPT_LANGUAGE="en").get(
        f"/api/v1/green/clusters/{world.humen.pk}?year=1900"
    )
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_request"
