"""Reporting: hard and soft rules, corrections with history, rounds, reminders, aggregates."""

import datetime
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from weft.audit.models import AuditRecord
from weft.stats import aggregation, services
from weft.stats.models import Aggregate, Indicator, Notice, Value, ValueRevision

from ..factories import OrganisationFactory, make_enterprise, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def y2024(db):
    return services.period_for("year", 2024)


@pytest.fixture
def y2025(db):
    return services.period_for("year", 2025)


def totals(level, key, code, period):
    agg = Aggregate.objects.filter(
        level=level, key=str(key), indicator__code=code, period=period
    ).first()
    return (agg.total, agg.firms) if agg else None


def test_catalogue_ships_the_twelve_indicators():
    codes = set(Indicator.objects.values_list("code", flat=True))
    assert {
        "output_value",
        "revenue",
        "profit",
        "export_value",
        "employees",
        "rd_spending",
        "ecommerce_sales",
        "energy_use",
        "water_use",
        "wastewater",
        "new_products",
        "patents_granted",
    } <= codes
    employees = Indicator.objects.get(code="employees")
    assert employees.kind == "stock" and employees.decimal_places == 0


@pytest.mark.parametrize(
    ("raw", "field", "en", "zh"),
    [
        ({"output_value": "-5"}, "output_value", "cannot be negative", "不能为负数"),
        ({"employees": "12.5"}, "employees", "must be a whole number", "必须是整数"),
        (
            {"revenue": "100", "profit": "150"},
            "profit",
            "cannot be greater than Main business revenue",
            "不能大于主营业务收入",
        ),
        ({"revenue": "abc"}, "revenue", "is not a number", "不是数字"),
        ({"patents_granted": "1.5"}, "patents_granted", "must be a whole number", "必须是整数"),
    ],
)
def test_hard_rules_reject_with_specific_bilingual_messages(world, y2025, raw, field, en, zh):
    for lang, expected in (("en", en), ("zh-hans", zh)):
        with translation.override(lang), pytest.raises(ValidationError) as exc:
            services.submit_figures(world.firm_member, world.firm, y2025, raw)
        assert expected in exc.value.message_dict[field][0]
    assert not Value.objects.exists()


def test_indicator_not_reported_for_the_period_kind(world):
    month = services.period_for("month", 2025, 3)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.submit_figures(world.firm_member, world.firm, month, {"new_products": "2"})
    assert "not reported per month" in exc.value.message_dict["new_products"][0]


def test_profit_above_revenue_on_file_is_rejected(world, y2025):
    services.submit_figures(world.firm_member, world.firm, y2025, {"revenue": "1000"})
    with pytest.raises(ValidationError) as exc:
        services.submit_figures(world.firm_member, world.firm, y2025, {"profit": "1001"})
    assert "profit" in exc.value.message_dict
    services.submit_figures(
        world.firm_member, world.firm, y2025, {"profit": "-20"}
    )  # a loss is fine
    assert Value.objects.get(indicator__code="profit").value == D(-20)


def test_soft_rule_needs_confirmation_and_reason_then_keeps_history(world, y2024, y2025):
    services.submit_figures(world.firm_member, world.firm, y2024, {"output_value": "1000000"})
    with translation.override("en"), pytest.raises(services.SoftRulesUnconfirmed) as exc:
        services.submit_figures(world.firm_member, world.firm, y2025, {"output_value": "1800000"})
    assert "+80%" in exc.value.warnings["output_value"]
    assert not Value.objects.filter(period=y2025).exists()
    # Confirmed without a reason is still not enough.
    with pytest.raises(services.SoftRulesUnconfirmed):
        services.submit_figures(
            world.firm_member,
            world.firm,
            y2025,
            {"output_value": "1800000"},
            confirmed={"output_value"},
        )
    services.submit_figures(
        world.firm_member,
        world.firm,
        y2025,
        {"output_value": "1800000"},
        confirmed={"output_value"},
        reasons={"output_value": "新生产线投产"},
    )
    value = Value.objects.get(period=y2025)
    revision = value.revisions.get()
    assert revision.reason == "新生产线投产" and revision.confirmed_warnings
    # A correction needs a reason and keeps the old figure.
    with pytest.raises(services.SoftRulesUnconfirmed) as exc:
        services.submit_figures(world.firm_member, world.firm, y2025, {"output_value": "1400000"})
    assert "1,800,000" in exc.value.warnings["output_value"]
    services.submit_figures(
        world.firm_admin,
        world.firm,
        y2025,
        {"output_value": "1400000"},
        reasons={"output_value": "审计调整"},
    )
    value.refresh_from_db()
    assert value.value == D(1400000) and value.revision == 2
    history = list(ValueRevision.objects.filter(value=value).order_by("revision"))
    assert [(h.amount, h.previous, h.changed_by, h.reason) for h in history] == [
        (D(1800000), None, world.firm_member, "新生产线投产"),
        (D(1400000), D(1800000), world.firm_admin, "审计调整"),
    ]
    assert AuditRecord.objects.filter(object_type="stats.value", reason="审计调整").exists()


def test_far_from_peers_is_a_soft_warning(world, y2025):
    for n in range(6):
        firm = make_enterprise(name_zh=f"东莞市虎门镇同行{n}服饰有限公司", cluster=world.humen)
        services.submit_figures(world.humen_office, firm, y2025, {"employees": str(40 + n)})
    with translation.override("zh-hans"), pytest.raises(services.SoftRulesUnconfirmed) as exc:
        services.submit_figures(world.firm_member, world.firm, y2025, {"employees": "5000"})
    assert "中位数 42" in exc.value.warnings["employees"]


def test_outsiders_cannot_report(world, y2025):
    with pytest.raises(PermissionDenied):
        services.submit_figures(world.other_firm_admin, world.firm, y2025, {"revenue": "1"})
    with pytest.raises(PermissionDenied):
        services.submit_figures(world.keqiao_office, world.firm, y2025, {"revenue": "1"})


def test_aggregates_follow_each_figure_and_match_a_full_recompute(world, y2025):
    second = make_enterprise(name_zh="东莞市虎门镇第二服饰有限公司", cluster=world.humen)
    services.submit_figures(world.firm_member, world.firm, y2025, {"revenue": "1000.50"})
    assert totals("cluster", world.humen.pk, "revenue", y2025) == (D("1000.50"), 1)
    services.submit_figures(world.humen_office, second, y2025, {"revenue": "200"})
    services.submit_figures(world.other_firm_admin, world.other_firm, y2025, {"revenue": "7"})
    assert totals("cluster", world.humen.pk, "revenue", y2025) == (D("1200.50"), 2)
    assert totals("nation", "CN", "revenue", y2025) == (D("1207.50"), 3)
    assert totals("province", "广东省", "revenue", y2025) == (D("1200.50"), 2)
    assert totals("stage", "garment_making", "revenue", y2025) == (D("1200.50"), 2)
    assert totals("stage", "weaving", "revenue", y2025) == (D("7"), 1)
    # A correction moves the totals by the difference, not the firm count.
    services.submit_figures(
        world.firm_member, world.firm, y2025, {"revenue": "900.50"}, reasons={"revenue": "更正"}
    )
    assert totals("cluster", world.humen.pk, "revenue", y2025) == (D("1100.50"), 2)
    # The cluster's own breakdown by chain stage (what its location quotients read).
    humen_garments = f"{world.humen.pk}:garment_making"
    assert totals("cstage", humen_garments, "revenue", y2025) == (D("1100.50"), 2)
    incremental = {
        (a.level, a.key, a.indicator_id, a.period_id): (a.total, a.firms)
        for a in Aggregate.objects.all()
    }
    aggregation.recompute()
    rebuilt = {
        (a.level, a.key, a.indicator_id, a.period_id): (a.total, a.firms)
        for a in Aggregate.objects.all()
    }
    assert rebuilt == incremental


def test_round_notifies_reminds_and_accepts_members_only(world, y2025):
    indicators = Indicator.objects.filter(code__in=["revenue", "profit"])
    deadline = datetime.date.today() + datetime.timedelta(days=10)
    world.firm_owner.email = "owner@example.test"
    world.firm_owner.save()
    with pytest.raises(PermissionDenied):
        services.open_round(world.keqiao_office, world.humen, y2025, indicators, deadline)
    with pytest.raises(ValidationError):
        services.open_round(
            world.humen_office, world.humen, y2025, indicators, deadline, firms=[world.other_firm]
        )
    with pytest.raises(ValidationError):
        services.open_round(
            world.humen_office,
            world.humen,
            y2025,
            indicators,
            datetime.date.today() - datetime.timedelta(days=1),
        )
    with django_capture_on_commit():
        rnd = services.open_round(world.humen_office, world.humen, y2025, indicators, deadline)
    assert Notice.objects.filter(organisation=world.firm_org).count() == 1
    assert any("owner@example.test" in m.to for m in mail.outbox)
    with pytest.raises(ValidationError):
        services.submit_figures(
            world.other_firm_admin, world.other_firm, y2025, {"revenue": "1"}, round=rnd
        )
    with pytest.raises(ValidationError):  # not an indicator of the round
        services.submit_figures(
            world.firm_member, world.firm, y2025, {"employees": "10"}, round=rnd
        )
    quiet = make_enterprise(name_zh="东莞市虎门镇沉默服饰有限公司", cluster=world.humen)
    rnd.firms.add(quiet)
    services.submit_figures(world.firm_member, world.firm, y2025, {"revenue": "10"}, round=rnd)
    quiet_org = OrganisationFactory(enterprise=quiet, name_zh=quiet.name_zh)
    member_of(quiet_org)
    assert services.remind(world.humen_office, rnd) == 1  # only the firm that has not reported
    assert Notice.objects.filter(organisation=quiet_org).count() == 1
    assert Notice.objects.filter(organisation=world.firm_org).count() == 1


class django_capture_on_commit:  # noqa: N801
    """Run on_commit callbacks inside the test transaction (emails are sent after commit)."""

    def __enter__(self):
        from django.db import connection

        self._callbacks = len(connection.run_on_commit)

    def __exit__(self, *exc):
        from django.db import connection

        for _sids, func, _robust in connection.run_on_commit[self._callbacks :]:
            func()


def test_a_firm_sees_the_round_notice_and_the_office_opens_a_round_by_form(world, y2025):
    from django.test import Client

    office = Client(HTTP_ACCEPT_LANGUAGE="en")
    office.force_login(world.humen_office)
    deadline = (datetime.date.today() + datetime.timedelta(days=9)).isoformat()
    revenue = Indicator.objects.get(code="revenue")
    response = office.post(
        f"/stats/clusters/{world.humen.slug}/rounds/new/",
        {
            "period_kind": "year",
            "year": 2025,
            "number": 1,
            "indicators": [revenue.pk],
            "deadline": deadline,
        },
    )
    assert response.status_code == 302, response.content[:500]
    firm = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    firm.force_login(world.firm_member)
    html = firm.get("/stats/rounds/").content.decode()
    assert f"请于 {deadline} 前填报 2025 统计数据" in html
    # A monthly-only mistake is refused with the reason, and no round is opened.
    response = office.post(
        f"/stats/clusters/{world.humen.slug}/rounds/new/",
        {
            "period_kind": "month",
            "year": 2025,
            "number": 13,
            "indicators": [revenue.pk],
            "deadline": deadline,
        },
    )
    assert (
        response.status_code == 200
        and b"Ensure this value is less than or equal to 12" in response.content
    )
