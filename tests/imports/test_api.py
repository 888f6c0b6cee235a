"""The import API over HTTP: upload, progress, report, review, export."""

import csv
import io
import json

import openpyxl
import pytest
from django.test import Client, TestCase

from weft.imports.models import ImportJob, MatchDecision
from weft.registry.models import Enterprise

from .files import firm_row, xlsx, zip_bomb

pytestmark = pytest.mark.django_db


def client_for(user, lang="en"):
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def post_file(c, content, name="list.xlsx", **data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with TestCase.captureOnCommitCallbacks(execute=True):
        return c.post("/api/v1/imports", {"file": SimpleUploadedFile(name, content), **data})


def test_upload_runs_and_reports_progress_and_errors(world):
    c = client_for(world.humen_office)
    rows = [
        firm_row(name="东莞市虎门镇和风制衣有限公司"),
        firm_row(name="东莞市虎门镇细雨制衣有限公司", employees="很多"),
    ]
    r = post_file(c, xlsx(rows), cluster=world.humen.pk)
    assert r.status_code == 201, r.content
    job_id = r.json()["id"]
    body = c.get(f"/api/v1/imports/{job_id}").json()
    assert body["status"] == "done"
    assert body["progress"] == {"rows_done": 2, "total": 2, "percent": 100}
    assert body["counts"]["created"] == 1 and body["counts"]["rejected_rows"] == 1
    assert body["errors"] == [
        {
            "row": 3,
            "column": "员工人数",
            "field": "employees",
            "code": "employees_not_number",
            "message": "Employees must be a whole number, not “很多”.",
        }
    ]
    report = c.get(body["report_url"])
    assert report.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(report.streaming_content)))
    ws = wb.active
    assert ws.cell(1, 7).value == "Errors"
    assert ws.cell(3, 1).value == "东莞市虎门镇细雨制衣有限公司"
    assert "whole number" in ws.cell(3, 7).value and ws.cell(2, 7).value is None


def test_bad_file_is_422_with_specific_code_and_nothing_kept(world):
    c = client_for(world.humen_office)
    r = post_file(c, zip_bomb(), cluster=world.humen.pk)
    assert r.status_code == 422 and r.json()["code"] == "zip_bomb"
    assert ImportJob.objects.count() == 0
    r = post_file(c, b"", "a.csv", cluster=world.humen.pk)
    assert r.json() == {"code": "empty", "message": "The file is empty.", "details": None}


def test_preview_then_corrected_mapping(world):
    c = client_for(world.humen_office)
    content = xlsx(
        [["东莞市虎门镇晨星服饰有限公司", "广东省东莞市虎门镇村头路2号"]], headers=["甲", "乙"]
    )
    r = post_file(c, content, cluster=world.humen.pk)
    assert r.status_code == 422 and r.json()["code"] == "no_header"
    content = xlsx(
        [["东莞市虎门镇晨星服饰有限公司", "广东省东莞市虎门镇村头路2号", "x"]],
        headers=["企业名称", "备注", "乙"],
    )
    r = post_file(c, content, cluster=world.humen.pk, start="false")
    job = r.json()
    assert job["status"] == "preview" and job["mapping"] == {"0": "name_zh"}
    bad = c.post(
        f"/api/v1/imports/{job['id']}/start",
        {"mapping": {"1": "address"}},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "enterprise name" in bad.json()["message"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        ok = c.post(
            f"/api/v1/imports/{job['id']}/start",
            {"mapping": {"0": "name_zh", "1": "address"}},
            content_type="application/json",
        )
    assert ok.status_code == 200 and ok.json()["status"] in ("queued", "done")
    firm = Enterprise.objects.get(name_zh="东莞市虎门镇晨星服饰有限公司")
    assert firm.address == "广东省东莞市虎门镇村头路2号"


def test_review_over_api_and_foreign_office_sees_nothing(world):
    c = client_for(world.humen_office)
    row = firm_row(name="东莞市虎门镇丽人制衣坊", uscc="", address="广东省东莞市虎门镇连升路3号")
    job_id = post_file(c, xlsx([row]), cluster=world.humen.pk).json()["id"]
    matches = c.get(f"/api/v1/imports/{job_id}/matches").json()
    assert len(matches) == 1 and matches[0]["candidate_id"] == world.firm.pk
    name = next(f for f in matches[0]["fields"] if f["field"] == "name_zh")
    assert name == {
        "field": "name_zh",
        "registry": "东莞市虎门镇丽人制衣有限公司",
        "incoming": "东莞市虎门镇丽人制衣坊",
        "differs": True,
    }
    other = client_for(world.keqiao_office)
    assert other.get(f"/api/v1/imports/{job_id}").status_code == 404
    assert other.post(f"/api/v1/matches/{matches[0]['id']}/confirm").status_code == 404
    r = c.post(f"/api/v1/matches/{matches[0]['id']}/confirm")
    assert r.status_code == 200 and r.json()["outcome"] == "confirmed"
    again = c.post(f"/api/v1/matches/{matches[0]['id']}/reject")
    assert again.status_code == 422 and "already been decided" in again.json()["message"]
    assert c.post(f"/api/v1/matches/{matches[0]['id']}/undo").status_code == 403
    op = client_for(world.operator)
    assert op.post(f"/api/v1/matches/{matches[0]['id']}/undo").json()["outcome"] == "pending"
    assert MatchDecision.objects.get(pk=matches[0]["id"]).outcome == "pending"


def test_review_page_unknown_action_is_404_and_changes_nothing(world):
    c = client_for(world.humen_office)
    row = firm_row(name="东莞市虎门镇丽人制衣坊", uscc="", address="广东省东莞市虎门镇连升路3号")
    job_id = post_file(c, xlsx([row]), cluster=world.humen.pk).json()["id"]
    decision = MatchDecision.objects.get(job_id=job_id)
    assert c.post(f"/imports/matches/{decision.pk}/merge/").status_code == 404
    assert MatchDecision.objects.get(pk=decision.pk).outcome == "pending"
    assert c.post(f"/imports/matches/{decision.pk}/confirm/").status_code == 302
    assert MatchDecision.objects.get(pk=decision.pk).outcome == "confirmed"


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("https://evil.example/", "/imports/review/"),
        ("//evil.example/", "/imports/review/"),
        ("/imports/", "/imports/"),
    ],
)
def test_review_decision_returns_only_within_the_site(world, next_url, lands_on):
    c = client_for(world.humen_office)
    row = firm_row(name="东莞市虎门镇丽人制衣坊", uscc="", address="广东省东莞市虎门镇连升路3号")
    job_id = post_file(c, xlsx([row]), cluster=world.humen.pk).json()["id"]
    decision = MatchDecision.objects.get(job_id=job_id)
    r = c.post(f"/imports/matches/{decision.pk}/reject/", {"next": next_url})
    assert r.status_code == 302 and r["Location"] == lands_on


def test_export_csv_and_xlsx_with_filters_and_formula_escaping(world):
    Enterprise.objects.filter(pk=world.firm.pk).update(main_products='=HYPERLINK("http://x")')
    c = client_for(world.firm_member)
    r = c.get("/api/v1/enterprises/export?format=csv&q=虎门")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = b"".join(r.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][1] == "企业名称" and len(rows) == 2
    assert rows[1][1] == "东莞市虎门镇丽人制衣有限公司" and rows[1][8] == '\'=HYPERLINK("http://x")'
    r = c.get("/api/v1/enterprises/export?format=xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    values = [row for row in wb.active.iter_rows(values_only=True)]
    assert len(values) == 3 and {v[1] for v in values[1:]} == {
        "东莞市虎门镇丽人制衣有限公司",
        "绍兴柯桥锦绣纺织有限公司",
    }
    cell = next(
        row for row in wb.active.iter_rows() if row[1].value == "东莞市虎门镇丽人制衣有限公司"
    )[8]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    assert Client().get("/api/v1/enterprises/export?format=csv").status_code == 401
    unknown = c.get("/api/v1/enterprises/export?format=csv&stage=nope")
    assert unknown.status_code == 422 and "stage" in unknown.json()["message"]
    assert c.get("/api/v1/enterprises/export?format=pdf").status_code == 422


def test_template_download(world):
    r = Client().get("/imports/template.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert wb.worksheets[0]["A1"].value == "企业名称"
    allowed = [row[0] for row in wb.worksheets[1].iter_rows(values_only=True)]
    assert "garment_making" in allowed and "1811" in allowed
    assert json.dumps(wb.sheetnames, ensure_ascii=False)
