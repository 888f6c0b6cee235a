"""The cluster office's XLSX upload: template, row/column errors, nothing half-written."""

import datetime
import io
from decimal import Decimal as D

import pytest
from django.utils import translation
from openpyxl import load_workbook

from weft.stats import services, spreadsheet
from weft.stats.models import Aggregate, Indicator, Submission, Value

from ..factories import make_enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def rnd(world):
    make_enterprise(name_zh="东莞市虎门镇第二服饰有限公司", cluster=world.humen)
    period = services.period_for("year", 2025)
    return services.open_round(
        world.humen_office,
        world.humen,
        period,
        Indicator.objects.filter(code__in=["revenue", "profit", "employees"]),
        datetime.date.today() + datetime.timedelta(days=7),
    )


def filled(rnd, rows: dict) -> bytes:
    """The downloaded template with cells set: {row number: {column letter: value}}."""
    wb = load_workbook(io.BytesIO(spreadsheet.template(rnd)))
    ws = wb.active
    for number, cells in rows.items():
        for letter, value in cells.items():
            ws[f"{letter}{number}"] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_template_lists_the_round_firms_and_indicators(rnd, world):
    ws = load_workbook(io.BytesIO(spreadsheet.template(rnd))).active
    header = [c.value for c in ws[1]]
    assert header[2] == "主营业务收入 (元) [revenue]"
    assert header[-1] == "说明 Note"
    uscc = {ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)}
    assert world.firm.uscc in uscc and world.other_firm.uscc not in uscc


def test_upload_writes_every_firm_and_updates_aggregates(rnd, world):
    # Rows are in pinyin order: find ours by USCC.
    ws = load_workbook(io.BytesIO(spreadsheet.template(rnd))).active
    rows = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    mine, other = rows[world.firm.uscc], next(r for k, r in rows.items() if k != world.firm.uscc)
    data = filled(
        rnd,
        {mine: {"C": "1,000,000", "D": 80000, "E": 25}, other: {"C": 500000, "E": 10}},
    )
    result = spreadsheet.upload(world.humen_office, rnd, data)
    assert (result.firms, result.created) == (2, 5)
    assert Submission.objects.filter(round=rnd, via="upload").count() == 2
    agg = Aggregate.objects.get(level="cluster", key=str(world.humen.pk), indicator__code="revenue")
    assert (agg.total, agg.firms) == (D(1500000), 2)


def test_any_error_rejects_the_whole_file_with_row_and_column(rnd, world):
    ws = load_workbook(io.BytesIO(spreadsheet.template(rnd))).active
    rows = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    mine, other = rows[world.firm.uscc], next(r for k, r in rows.items() if k != world.firm.uscc)
    data = filled(
        rnd,
        {
            mine: {"C": 1000, "D": 5000},  # profit above revenue
            other: {"C": 500000, "E": "7.5"},  # fractional employees
            ws.max_row + 1: {"A": world.other_firm.uscc, "C": 1},  # not in the round
        },
    )
    with translation.override("en"), pytest.raises(spreadsheet.UploadRejected) as exc:
        spreadsheet.upload(world.humen_office, rnd, data)
    found = {(e["row"], e["column"]) for e in exc.value.errors}
    assert {(mine, "D"), (other, "E"), (ws.max_row + 1, "A")} <= found
    messages = " ".join(e["message"] for e in exc.value.errors)
    assert "cannot be greater than" in messages and "whole number" in messages
    assert not Value.objects.exists() and not Aggregate.objects.exists()


def test_soft_warnings_need_the_note_column(rnd, world):
    services.submit_figures(
        world.firm_member, world.firm, services.period_for("year", 2024), {"revenue": "100000"}
    )
    ws = load_workbook(io.BytesIO(spreadsheet.template(rnd))).active
    mine = next(
        r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == world.firm.uscc
    )
    with pytest.raises(spreadsheet.UploadRejected) as exc:
        spreadsheet.upload(world.humen_office, rnd, filled(rnd, {mine: {"C": 900000}}))
    assert exc.value.errors[0]["row"] == mine and exc.value.errors[0]["column"] == "C"
    spreadsheet.upload(world.humen_office, rnd, filled(rnd, {mine: {"C": 900000, "F": "并购扩产"}}))
    value = Value.objects.get(indicator__code="revenue", period=rnd.period)
    assert value.revisions.get().reason == "并购扩产"


@pytest.mark.parametrize("data", [b"", b"not a spreadsheet", "企业,收入\n".encode("gb18030")])
def test_broken_files_are_refused(rnd, world, data):
    with translation.override("zh-hans"), pytest.raises(spreadsheet.UploadRejected) as exc:
        spreadsheet.upload(world.humen_office, rnd, data)
    assert "XLSX" in exc.value.errors[0]["message"]


def test_other_offices_cannot_upload(rnd, world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        spreadsheet.upload(world.keqiao_office, rnd, filled(rnd, {}))
