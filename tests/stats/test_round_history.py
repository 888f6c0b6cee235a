"""A corrected figure's history (revision, who, when, why) is shown on the round's page to those
who may see the firm's figures: the firm itself and its cluster office, never another firm."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from weft.stats import services
from weft.stats.models import Indicator

from ..factories import make_enterprise

pytestmark = pytest.mark.django_db


def test_corrections_show_who_when_why_to_the_firm_and_its_office_only(world):
    neighbour = make_enterprise(name_zh="东莞市虎门镇邻家服饰有限公司", cluster=world.humen)
    rnd = services.open_round(
        world.humen_office,
        world.humen,
        services.period_for("year", 2025),
        Indicator.objects.filter(code__in=["revenue", "employees"]),
        timezone.localdate() + datetime.timedelta(days=5),
    )
    submit = services.submit_figures
    submit(
        world.firm_member, world.firm, rnd.period, {"revenue": "1000", "employees": "40"}, round=rnd
    )
    submit(
        world.firm_admin, world.firm, rnd.period, {"revenue": "1200"},
        reasons={"revenue": "漏报了十二月的订单"}, round=rnd,
    )  # fmt: skip
    submit(world.humen_office, neighbour, rnd.period, {"revenue": "500"}, round=rnd)
    submit(
        world.humen_office, neighbour, rnd.period, {"revenue": "550"},
        reasons={"revenue": "邻家更正"}, round=rnd,
    )  # fmt: skip

    def history(user):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        html = client.get(f"/stats/rounds/{rnd.pk}/").content.decode()
        if 'id="round-revisions"' not in html:
            return ""
        start = html.index('id="round-revisions"')
        return html[start : html.index("</table>", start)]

    mine = history(world.firm_member)
    # Both revisions of the corrected revenue, none of the employees (never corrected).
    assert mine.count("<tr>") == 3  # header + revisions 1 and 2
    assert "漏报了十二月的订单" in mine and "1,000.00" in mine and "1,200.00" in mine
    assert str(world.firm_admin) in mine and "Employees" not in mine
    assert "邻家更正" not in mine  # another firm's correction
    office = history(world.humen_office)
    assert "漏报了十二月的订单" in office and "邻家更正" in office
    assert history(world.keqiao_office) == ""  # 403: not its round
