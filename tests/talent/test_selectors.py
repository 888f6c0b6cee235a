"""The talent dashboard's numbers, the design-shortage seam, and personal data kept out of lists."""

import csv
import io
import json

import pytest
from django.test import Client

from tests.factories import UserFactory
from weft.talent import demo, selectors
from weft.talent.models import Application, Role

from .conftest import make_job, make_profile

pytestmark = pytest.mark.django_db


def test_balance_counts_openings_applications_and_people_by_role(world):
    humen = world.humen
    j1 = make_job(world.firm, humen, openings=3)
    make_job(world.firm, humen, openings=2, title="设计助理")
    make_job(world.firm, humen, role=Role.PATTERN_MAKER, openings=1, title="制版")
    closed = make_job(world.firm, humen, openings=9, title="已招满", status="closed")
    p1 = make_profile(UserFactory(), cluster=humen, visibility="hidden")
    make_profile(UserFactory(), cluster=humen, availability="unavailable")  # not counted
    make_profile(UserFactory(), cluster=world.keqiao)  # another cluster
    Application.objects.create(job=j1, profile=p1)
    Application.objects.create(job=closed, profile=make_profile(UserFactory(), cluster=humen))
    rows = {r.role: r for r in selectors.talent_balance(humen)}
    assert (rows["designer"].openings, rows["designer"].applicants) == (5, 1)
    # p1 (hidden, counted as a number) and the applicant to the closed job.
    assert rows["designer"].candidates == 2
    assert (rows["pattern_maker"].openings, rows["pattern_maker"].candidates) == (1, 0)
    assert rows["dyeing_engineer"].openings == 0


def test_design_shortage_rule(world):
    humen = world.humen
    make_job(world.firm, humen, openings=4)
    make_profile(UserFactory(), cluster=humen)
    make_profile(UserFactory(), cluster=humen)
    s = selectors.design_shortage(humen)
    # 4 posts, 2 people: twofold but a gap of only 2 (< 3) → not a shortage.
    assert (s.openings, s.candidates, s.is_shortage) == (4, 2, False)
    make_job(world.firm, humen, openings=2, title="设计助理")
    s = selectors.design_shortage(humen)
    assert (s.openings, s.is_shortage) == (6, True)
    assert s.severity == pytest.approx(1 - 2 / 6)


def test_demo_makes_dalangs_design_shortage_visible(clusters):
    line = demo.load_demo()
    assert "shortage: yes" in line
    assert demo.load_demo() == line  # idempotent
    dalang = clusters["dalang"]
    s = selectors.design_shortage(dalang)
    assert s.is_shortage and s.openings == 12 and s.candidates == 2
    assert not selectors.design_shortage(clusters["humen"]).is_shortage
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/talent/clusters/{dalang.slug}/")
    html = page.content.decode()
    assert "Design shortage: 12 designer posts open, 2 designers available." in html
    assert '"openings": [12,' in html  # the chart's data, designers first
    # …and the same numbers show up as a design gap in Dalang's chain diagnosis.
    from weft.chain.graph import load_stage_links
    from weft.chain.models import ChainGap
    from weft.chain.services import recompute_profiles

    load_stage_links()
    recompute_profiles()
    gap = ChainGap.objects.get(cluster=dalang, group="design")
    assert "12 designer posts open, designers available in the cluster: 2" in gap.evidence_en


def test_personal_data_never_in_lists_api_or_exports(world):
    person = UserFactory()
    profile = make_profile(person, cluster=world.humen, visibility="public")
    secret = ("13800138000", "xiao@example.test", "11010519491231002X")
    office = Client(HTTP_ACCEPT_LANGUAGE="en")
    office.force_login(world.humen_office)
    for response in (
        office.get("/talent/people/"),
        office.get("/talent/people/export.csv"),
        office.get("/api/v1/talent-profiles"),
        Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/talent-profiles"),
        Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/talent/people/{profile.pk}/"),
        Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/api/v1/talent-profiles/{profile.pk}"),
    ):
        assert response.status_code == 200
        body = response.content.decode("utf-8-sig")
        if response["Content-Type"].startswith("application/json"):
            body = json.dumps(response.json(), ensure_ascii=False)
        assert "林晓" in body
        for value in secret:
            assert value not in body
    rows = list(
        csv.reader(io.StringIO(office.get("/talent/people/export.csv").content.decode("utf-8-sig")))
    )
    assert rows[0] == [
        "id",
        "name",
        "role",
        "headline",
        "skills",
        "experience_years",
        "availability",
        "cluster",
    ]
    assert rows[1][1] == "林晓"


def test_applying_shares_contact_with_that_firm_only(world):
    person = UserFactory()
    profile = make_profile(person, cluster=world.humen, visibility="hidden")
    job = make_job(world.firm, world.humen)
    firm = Client(HTTP_ACCEPT_LANGUAGE="en")
    firm.force_login(world.firm_admin)
    assert firm.get(f"/api/v1/talent-profiles/{profile.pk}").status_code == 404
    Application.objects.create(job=job, profile=profile)
    data = firm.get(f"/api/v1/talent-profiles/{profile.pk}").json()
    assert (data["phone"], data["email"]) == ("13800138000", "xiao@example.test")
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(world.other_firm_admin)
    assert other.get(f"/api/v1/talent-profiles/{profile.pk}").status_code == 404


def test_nearby_search_reaches_the_same_province(world, clusters):
    # Humen and Dalang are both in Guangdong; Keqiao is not.
    near = make_profile(UserFactory(), cluster=clusters["dalang"], name="大朗设计师")
    far = make_profile(UserFactory(), cluster=world.keqiao, name="柯桥设计师")
    firm = Client(HTTP_ACCEPT_LANGUAGE="en")
    firm.force_login(world.firm_admin)
    own = firm.get("/talent/people/?scope=cluster").content.decode()
    nearby = firm.get("/talent/people/?scope=nearby").content.decode()
    assert near.name not in own and near.name in nearby and far.name not in nearby


def test_a_firm_sees_its_applicants_profiles_and_no_one_elses(world):
    """A firm sees the hidden profile of whoever applied to its jobs, matched by profile, not by
    the application's own id (which once let a stranger's profile with that id through)."""
    stranger = make_profile(UserFactory(), cluster=world.keqiao, visibility="hidden", name="隐身人")
    applicant = make_profile(UserFactory(), cluster=world.humen, visibility="hidden", name="应聘人")
    # The application's id is the stranger's profile id: what the lists must not confuse.
    Application.objects.create(
        pk=stranger.pk, job=make_job(world.firm, world.humen), profile=applicant
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.firm_member)
    listed = {p["name"] for p in client.get("/api/v1/talent-profiles").json()["results"]}
    assert "应聘人" in listed and "隐身人" not in listed
    client.force_login(world.other_firm_admin)  # another firm: neither
    listed = {p["name"] for p in client.get("/api/v1/talent-profiles").json()["results"]}
    assert not {"应聘人", "隐身人"} & listed
