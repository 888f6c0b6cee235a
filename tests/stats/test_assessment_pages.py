"""The operator defines a scheme, edits its measures, runs it for a year and publishes it; the
public sees the ranking and each cluster's feedback page; published results stay frozen."""

import json
import re
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils.translation import override

from weft.audit.models import AuditRecord
from weft.stats import assessment, formulas
from weft.stats.models import AssessmentResult, AssessmentRun, AssessmentScheme, SchemeItem

from .test_monitoring import _three_clusters

pytestmark = pytest.mark.django_db


def test_percentile_score_by_hand():
    values = [D(10), D(20), D(20), D(40)]
    # 40 beats three of three others: 100; 10 beats none: 0.
    assert formulas.percentile_score(D(40), values) == 100
    assert formulas.percentile_score(D(10), values) == 0
    # 20 beats one and is level with one: (1 + ½) / 3 = 50.
    assert formulas.percentile_score(D(20), values) == 50
    assert formulas.percentile_score(D(20), values, higher_is_better=False) == 50
    assert formulas.percentile_score(D(10), values, higher_is_better=False) == 100
    assert formulas.percentile_score(D(5), [D(5)]) == 50
    assert formulas.percentile_score(None, values) is None


def client_for(user, lang="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    if user is not None:
        client.force_login(user)
    return client


def rows_post(items, extra=()):
    data = {"rows": str(len(items) + len(extra))}
    for n, row in enumerate([*items, *extra]):
        for key, value in row.items():
            data[f"{key}_{n}"] = value
    return data


def test_operator_defines_edits_runs_and_publishes_a_scheme(world, clusters):
    _three_clusters(world, clusters)
    op = client_for(world.operator)
    response = op.post(
        "/stats/assessments/schemes/new/",
        {"code": "green-2025", "name_zh": "绿色发展评估", "name_en": "Green assessment"},
    )
    scheme = AssessmentScheme.objects.get(code="green-2025")
    assert response["Location"] == f"/stats/assessments/schemes/{scheme.pk}/"
    assert scheme.items.count() == 11 and scheme.status == "draft"
    # A duplicate code is refused with a message.
    again = op.post("/stats/assessments/schemes/new/", {"code": "green-2025", "name_zh": "重复"})
    assert again.status_code == 400 and "exists" in again.content.decode()

    # Keep two measures: energy by percentile, output by min–max; one bad row refuses all.
    keep = [
        {"dimension": "green", "metric": "energy_per_10k", "weight": "3",
         "direction": "lower", "normalisation": "percentile"},
        {"dimension": "scale", "metric": "output_value", "weight": "1",
         "direction": "higher", "normalisation": "min_max"},
    ]  # fmt: skip
    bad = {"dimension": "green", "metric": "nonsense", "weight": "-1",
           "direction": "higher", "normalisation": "min_max"}  # fmt: skip
    response = op.post(f"/stats/assessments/schemes/{scheme.pk}/", rows_post(keep, [bad]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Row 3: unknown measure “nonsense”" in page and "above 0" in page
    assert scheme.items.count() == 11
    forged = op.post(f"/stats/assessments/schemes/{scheme.pk}/", {"rows": "many"})
    assert forged.status_code == 400 and "at least one measure" in forged.content.decode()
    response = op.post(f"/stats/assessments/schemes/{scheme.pk}/", rows_post(keep))
    assert response.status_code == 302
    assert sorted(scheme.items.values_list("metric", "normalisation")) == [
        ("energy_per_10k", "percentile"),
        ("output_value", "min_max"),
    ]
    assert AuditRecord.objects.filter(object_id=str(scheme.pk), action="update").exists()

    response = op.post(f"/stats/assessments/schemes/{scheme.pk}/run/", {"year": "2025"})
    run = AssessmentRun.objects.get(scheme=scheme)
    assert response["Location"] == f"/stats/assessments/{run.pk}/"
    # Energy 30 (Humen), 10 (Keqiao), 20 (Shengze) per firm, lower is better: percentiles 0,
    # 100, 50; output 3,300, 11,700, 7,200 by min–max: 0, 100, 3,900 / 8,400 = 46.43.
    # Weighted 3:1 → Humen 0, Keqiao 100, Shengze (3 × 50 + 46.43) / 4 = 49.11.
    scores = {r.cluster.slug: r.score for r in run.results.select_related("cluster")}
    assert scores == {"humen": D("0.00"), "keqiao": D("100.00"), "shengze": D("49.11")}

    # A draft is the operator's alone.
    assert client_for(None).get(f"/stats/assessments/{run.pk}/").status_code == 404
    assert client_for(world.humen_office).get(f"/stats/assessments/{run.pk}/").status_code == 404
    draft = op.get(f"/stats/assessments/{run.pk}/").content.decode()
    assert "Publish this result" in draft

    # Editing the scheme again discards the draft scored with the old measures.
    keep[1]["weight"] = "2"
    response = op.post(f"/stats/assessments/schemes/{scheme.pk}/", rows_post(keep), follow=True)
    assert "1 draft results made with the old measures were discarded" in response.content.decode()
    assert not AssessmentRun.objects.filter(pk=run.pk).exists()

    op.post(f"/stats/assessments/schemes/{scheme.pk}/run/", {"year": "2025"})
    run = AssessmentRun.objects.get(scheme=scheme)
    response = op.post(f"/stats/assessments/{run.pk}/publish/", follow=True)
    assert "Published. The results are frozen" in response.content.decode()
    run.refresh_from_db()
    scheme.refresh_from_db()
    assert run.status == "published" and scheme.status == "published"
    public = client_for(None).get(f"/stats/assessments/{run.pk}/").content.decode()
    assert "Green assessment 2025" in public and "Publish this result" not in public

    # Frozen: its measures cannot change, publishing twice is refused; a new version can.
    response = op.post(f"/stats/assessments/schemes/{scheme.pk}/", rows_post(keep))
    assert response.status_code == 400 and "make a new version" in response.content.decode()
    response = op.post(f"/stats/assessments/{run.pk}/publish/", follow=True)
    assert "already published" in response.content.decode()
    before = list(run.results.values_list("cluster_id", "score", "rank"))
    response = op.post(f"/stats/assessments/schemes/{scheme.pk}/new-version/")
    v2 = AssessmentScheme.objects.get(code="green-2025", version=2)
    assert response["Location"] == f"/stats/assessments/schemes/{v2.pk}/"
    assert v2.items.count() == 2 and v2.status == "draft"
    assert list(run.results.values_list("cluster_id", "score", "rank")) == before
    # Bad year: a message, no run.
    response = op.post(f"/stats/assessments/schemes/{v2.pk}/run/", {"year": "1800"}, follow=True)
    assert "Fewer than two clusters have figures for 1800" in response.content.decode()
    for year in ("twenty", "²", "99999999999999999999"):
        response = op.post(f"/stats/assessments/schemes/{v2.pk}/run/", {"year": year}, follow=True)
        assert "Give the year to assess" in response.content.decode(), year
    assert not AssessmentRun.objects.filter(scheme=v2).exists()


def test_save_items_refuses_bad_rows_and_changes_nothing(world):
    scheme = assessment.default_scheme()
    before = list(scheme.items.values_list("metric", "weight"))
    base = {"dimension": "scale", "metric": "output_value", "weight": "1",
            "direction": "higher", "normalisation": "min_max"}  # fmt: skip
    cases = [
        ([base, base], "the measure appears twice"),
        ([base | {"weight": "0"}], "above 0"),
        ([base | {"weight": "NaN"}], "above 0"),
        ([base | {"dimension": "fashion"}], "unknown dimension"),
        ([base | {"direction": "sideways"}], "higher or lower"),
        ([base | {"normalisation": "z"}], "normalisation"),
        ([base | {"weight": ""}], "at least one measure"),
    ]
    for rows, message in cases:
        with override("en"), pytest.raises(ValidationError) as exc:
            assessment.save_items(world.operator, scheme, rows)
        assert message in str(exc.value), message
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        assessment.save_items(world.humen_office, scheme, [base])
    assert list(scheme.items.values_list("metric", "weight")) == before
    assert SchemeItem.objects.filter(scheme=scheme).count() == len(before)


def test_cluster_feedback_page_names_weak_dimensions_links_and_radar(world, clusters):
    _three_clusters(world, clusters)
    run = assessment.run(world.operator, assessment.default_scheme(), 2025)
    assessment.publish(world.operator, run)
    humen = AssessmentResult.objects.get(run=run, cluster=world.humen)
    html = (
        client_for(None, "zh-hans")
        .get(f"/stats/assessments/{run.pk}/clusters/humen/")
        .content.decode()
    )
    assert f"在 3 个集群中排名第 {humen.rank}，得分 {humen.score}" in html
    assert humen.feedback_zh in html
    actions = html[
        html.index('id="feedback-actions"') : html.index(
            "</ul>", html.index('id="feedback-actions"')
        )
    ]
    # Humen's weakest: green (0 against 77), with where to act on it.
    assert actions.index("绿色") < actions.index("增长") if "增长" in actions else "绿色" in actions
    assert 'href="/services/?category=csr_audit"' in actions
    radar = json.loads(
        re.search(r'<script id="radar-data" type="application/json">(.*?)</script>', html).group(1)
    )
    names = [i["name"] for i in radar["indicators"]]
    green = names.index("绿色")
    assert radar["cluster"][green] == humen.dimensions["green"] == 0
    assert radar["median"][green] == run.medians["green"]
    # English readers get English names and feedback.
    html = client_for(None).get(f"/stats/assessments/{run.pk}/clusters/humen/").content.decode()
    assert humen.feedback_en in html and "Green" in html
    # A cluster not assessed in the run: 404.
    assert client_for(None).get(f"/stats/assessments/{run.pk}/clusters/dalang/").status_code == 404
    # The dashboard links to the page.
    dash = client_for(None).get("/stats/clusters/humen/?year=2025").content.decode()
    assert f"/stats/assessments/{run.pk}/clusters/humen/" in dash
