"""Public pages: what a visitor sees on each page for the `world` fixture."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import make_enterprise
from weft.audit.models import AuditRecord
from weft.registry.models import Enterprise

pytestmark = pytest.mark.django_db

HUMEN_FIRM = "东莞市虎门镇丽人制衣有限公司"
KEQIAO_FIRM = "绍兴柯桥锦绣纺织有限公司"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Headline figures are cached; each test counts its own world.
    cache.clear()
    yield
    cache.clear()


def client_for(user=None, lang="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    if user is not None:
        client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


# --- frame -------------------------------------------------------------------------------------


def test_frame_has_landmarks_skip_link_and_switcher():
    html = text(client_for().get("/"))
    assert 'href="#main"' in html and '<main id="main"' in html
    assert 'action="/i18n/setlang/"' in html
    assert 'name="next" value="/"' in html
    assert "/accounts/login/" in html and "/accounts/register/" in html
    assert "/admin/" not in html


def test_frame_for_signed_in_operator_shows_dashboard_logout_and_admin(world):
    html = text(client_for(world.operator).get("/"))
    assert 'href="/accounts/"' in html
    assert re.search(
        r'<form method="post" action="/accounts/logout/"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken"',
        html,
    )
    assert 'href="/admin/"' in html
    html = text(client_for(world.firm_member).get("/"))
    assert 'href="/admin/"' not in html


def test_set_language_remembers_choice_on_profile(world):
    client = client_for(world.firm_member)
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/clusters/"})
    assert response.status_code == 302 and response["Location"] == "/clusters/"
    world.firm_member.refresh_from_db()
    assert world.firm_member.language == "zh-hans"
    assert response.cookies["django_language"].value == "zh-hans"


def test_set_language_anonymous_sets_cookie_only():
    response = client_for().post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.cookies["django_language"].value == "en"


def test_set_language_ignores_unknown_language(world):
    client_for(world.firm_member).post("/i18n/setlang/", {"language": "xx", "next": "/"})
    world.firm_member.refresh_from_db()
    assert world.firm_member.language == ""


# --- home --------------------------------------------------------------------------------------


def test_home_shows_figures_map_points_and_fallback_list(world):
    html = text(client_for().get("/"))
    assert 'action="/enterprises/"' in html and 'name="q"' in html
    # 55 real clusters, 2 firms in the world fixture.
    assert re.search(r"<strong>55</strong>\s*clusters", html)
    assert re.search(r"<strong>2</strong>\s*enterprises", html)
    assert 'id="cluster-points"' in html and '"url": "/clusters/humen/"' in html
    assert 'href="/clusters/keqiao/"' in html  # the text list for screen readers
    assert "vendor/china.js" in html
    # Scripts and styles come from the site itself, none from a CDN or any other host. (Not a
    # search for "cdn" in the page: the random CSRF tokens hold it now and then.)
    external = re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="((?:https?:)?//[^"]*)"', html)
    assert external == []


def test_home_figures_are_cached(world, django_assert_max_num_queries):
    client_for().get("/")
    make_enterprise(name_zh="新来的制衣厂")
    html = text(client_for().get("/"))
    assert re.search(r"<strong>2</strong>\s*enterprises", html)  # still the cached count
    cache.clear()
    assert re.search(r"<strong>3</strong>\s*enterprises", text(client_for().get("/")))


# --- clusters ----------------------------------------------------------------------------------


def test_cluster_directory_filters_by_province_and_query(world):
    html = text(client_for().get("/clusters/", {"province": "浙江"}))
    assert "/clusters/keqiao/" in html and "/clusters/humen/" not in html
    html = text(client_for().get("/clusters/", {"q": "虎门"}))
    assert "/clusters/humen/" in html and "/clusters/keqiao/" not in html
    assert "1 cluster found" in html


def test_cluster_directory_shows_member_count_and_pilot(world):
    html = text(client_for().get("/clusters/", {"q": "虎门"}))
    assert re.search(r'href="/enterprises/\?cluster=humen">1</a>', html)


def test_cluster_directory_unknown_stage_is_reported(world):
    response = client_for().get("/clusters/", {"stage": "nonsense"})
    assert response.status_code == 200
    assert "There is no chain stage “nonsense”" in text(response)


def test_cluster_directory_long_query_is_reported_not_500(world):
    # A thousand short words are a thousand conditions: SQLite refuses such a query.
    response = client_for().get("/clusters/", {"q": "ab " * 1000, "province": "浙江"})
    assert response.status_code == 200
    html = text(response)
    assert "at most 100 characters" in html
    assert "/clusters/keqiao/" in html and "/clusters/humen/" not in html


def test_cluster_directory_htmx_returns_fragment(world):
    response = client_for().get("/clusters/", {"q": "柯桥"}, HTTP_HX_REQUEST="true")
    html = text(response)
    assert "<html" not in html and "/clusters/keqiao/" in html
    assert "HX-Request" in response["Vary"]


def test_cluster_page_lists_profile_stages_and_members(world):
    html = text(client_for().get("/clusters/humen/"))
    assert world.humen.name_en in html and world.humen.adcode in html
    assert HUMEN_FIRM in html and KEQIAO_FIRM not in html
    # The Humen firm makes garments: that stage is present with one firm, weaving is absent.
    assert re.search(
        r'<li class="present">\s*<a [^>]*stage=garment_making[^>]*>Garment making: 1</a>', html
    ), html
    assert re.search(r'<li class="absent">\s*Weaving: 0', html)
    assert 'href="/enterprises/?cluster=humen"' in html
    assert 'id="cluster-point"' in html


def test_cluster_page_404_fits_the_frame():
    response = client_for().get("/clusters/no-such-cluster/")
    assert response.status_code == 404
    assert "Page not found" in text(response) and 'id="main"' in text(response)


# --- enterprise directory ----------------------------------------------------------------------


def test_directory_search_humen_finds_only_the_humen_firm(world):
    html = text(client_for().get("/enterprises/", {"q": "虎门"}))
    assert HUMEN_FIRM in html and KEQIAO_FIRM not in html
    assert "1 enterprise found" in html


def test_directory_filters(world):
    html = text(client_for().get("/enterprises/", {"stage": "weaving"}))
    assert KEQIAO_FIRM in html and HUMEN_FIRM not in html
    html = text(client_for().get("/enterprises/", {"cluster": "humen"}))
    assert HUMEN_FIRM in html and KEQIAO_FIRM not in html
    assert "members of Humen" in html
    html = text(client_for().get("/enterprises/", {"province": "浙江省"}))
    assert KEQIAO_FIRM in html and HUMEN_FIRM not in html
    html = text(client_for().get("/enterprises/", {"province": "33"}))
    assert KEQIAO_FIRM in html and HUMEN_FIRM not in html
    html = text(client_for().get("/enterprises/", {"size_band": "small"}))
    assert "2 enterprises found" in html


def test_directory_industry_code_and_certification_filters(world):
    from weft.registry.services import refresh_search

    world.other_firm.industry_codes.set(
        world.other_firm.industry_codes.model.objects.filter(code="1751")
    )
    world.firm.certifications.set(world.firm.certifications.model.objects.filter(code="gots"))
    refresh_search(world.other_firm)
    refresh_search(world.firm)
    html = text(
        client_for().get("/enterprises/", {"industry_code": "17"})
    )  # division answers for class
    assert KEQIAO_FIRM in html and HUMEN_FIRM not in html
    html = text(client_for().get("/enterprises/", {"certification": "gots"}))
    assert HUMEN_FIRM in html and KEQIAO_FIRM not in html


def test_directory_unknown_filter_values_are_explained_not_500(world):
    response = client_for().get(
        "/enterprises/", {"cluster": "atlantis", "size_band": "huge", "q": "虎门"}
    )
    assert response.status_code == 200
    html = text(response)
    assert "There is no cluster “atlantis”" in html
    assert "There is no size band “huge”" in html
    assert HUMEN_FIRM in html  # the valid part of the search still applies


def test_directory_long_query_is_reported_not_500(world):
    response = client_for().get("/enterprises/", {"q": "ab " * 1000, "stage": "weaving"})
    assert response.status_code == 200
    html = text(response)
    assert "at most 100 characters" in html
    assert KEQIAO_FIRM in html and HUMEN_FIRM not in html  # the valid filter still applies


@pytest.mark.parametrize("page", ["abc", "0", "-3", "999", ""])
def test_directory_bad_page_numbers_go_to_nearest_page(world, page):
    response = client_for().get("/enterprises/", {"page": page})
    assert response.status_code == 200
    assert HUMEN_FIRM in text(response)


@pytest.mark.parametrize(
    ("page", "shown"),
    [
        ("abc", 1),
        ("", 1),
        ("0", 1),
        ("-3", 1),
        ("1.5", 1),
        ("2", 2),
        ("999", 2),
        ("99999999999999999999999", 2),
    ],
)
def test_directory_bad_page_numbers_on_several_pages_go_to_the_nearest(world, page, shown):
    # Paginator.get_page answers 0 and -3 with the last page.
    for i in range(25):
        make_enterprise(name_zh=f"东莞市虎门镇分页测试{i:02d}服装厂", cluster=world.humen)
    for path in ("/enterprises/", f"/clusters/{world.humen.slug}/"):
        html = text(client_for().get(path, {"page": page, "q": "虎门"}))
        assert f"Page {shown} of 2" in html, path


def test_directory_paginates_with_total_count(world):
    for i in range(25):
        make_enterprise(name_zh=f"东莞市虎门镇分页测试{i:02d}服装厂")
    html = text(client_for().get("/enterprises/", {"q": "虎门"}))
    assert "26 enterprises found" in html and "Page 1 of 2" in html
    assert 'href="?q=%E8%99%8E%E9%97%A8&amp;page=2"' in html
    html2 = text(client_for().get("/enterprises/", {"q": "虎门", "page": "2"}))
    assert "Page 2 of 2" in html2 and html2.count("<article>") == 6


def test_directory_htmx_request_returns_results_fragment_only(world):
    response = client_for().get("/enterprises/", {"q": "柯桥"}, HTTP_HX_REQUEST="true")
    html = text(response)
    assert "<html" not in html and "<form" not in html
    assert KEQIAO_FIRM in html and HUMEN_FIRM not in html
    # A history restore gets the whole page back.
    response = client_for().get(
        "/enterprises/",
        {"q": "柯桥"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in text(response)


def test_directory_is_sorted_by_pinyin(world):
    make_enterprise(name_zh="阿拉丁制衣厂")  # a-
    make_enterprise(name_zh="中山制衣厂")  # zh-
    html = text(client_for().get("/enterprises/"))
    assert html.index("阿拉丁制衣厂") < html.index(HUMEN_FIRM) < html.index("中山制衣厂")


# --- enterprise profile ------------------------------------------------------------------------


def test_profile_shows_public_fields(world):
    e = world.firm
    Enterprise.objects.filter(pk=e.pk).update(
        capacity_quantity=5000,
        capacity_unit="件",
        capacity_period="month",
        founded_year=2003,
        ecommerce_channels=["天猫", "1688"],
        website="https://liren.example.test",
    )
    html = text(client_for().get(f"/enterprises/{e.pk}/"))
    assert HUMEN_FIRM in html and e.uscc in html and e.address in html
    assert 'href="/clusters/humen/"' in html
    assert "5000 件 per month" in html
    assert "2003" in html and "天猫, 1688" in html and "https://liren.example.test" in html
    assert "Garment making" in html
    assert "demo data" not in html


def test_profile_hides_private_contact_from_anonymous(world):
    html = text(client_for().get(f"/enterprises/{world.firm.pk}/"))
    assert "张丽" in html  # public
    assert "0769-85000001" not in html and "Visible to signed-in users" in html
    assert "li@example.test" not in html and "Not public" in html


def test_profile_shows_registered_contact_to_any_signed_in_user(world):
    html = text(client_for(world.other_firm_admin).get(f"/enterprises/{world.firm.pk}/"))
    assert "0769-85000001" in html and "li@example.test" not in html


def test_profile_shows_all_contact_to_firm_member(world):
    html = text(client_for(world.firm_member).get(f"/enterprises/{world.firm.pk}/"))
    assert "0769-85000001" in html and "li@example.test" in html
    assert "Not public" not in html


def test_profile_edit_link_only_for_those_who_may_edit(world):
    edit = f'href="/enterprises/{world.firm.pk}/edit/"'
    assert edit in text(client_for(world.firm_admin).get(f"/enterprises/{world.firm.pk}/"))
    assert edit in text(client_for(world.humen_office).get(f"/enterprises/{world.firm.pk}/"))
    assert edit not in text(client_for(world.firm_member).get(f"/enterprises/{world.firm.pk}/"))
    assert edit not in text(client_for().get(f"/enterprises/{world.firm.pk}/"))


def test_profile_demo_badge_and_provenance(world):
    demo = make_enterprise(name_zh="演示服装厂", is_demo=True, source=Enterprise.Source.DEMO)
    html = text(client_for().get(f"/enterprises/{demo.pk}/"))
    assert "demo data" in html and "Demo generator" in html


def test_profile_unknown_id_is_404(world):
    assert client_for().get("/enterprises/999999/").status_code == 404


# --- edit --------------------------------------------------------------------------------------


def edit_data(e, **changes):
    from weft.registry.forms import EnterpriseEditForm

    data = {}
    for key, value in EnterpriseEditForm.initial_from(e).items():
        if value is None:
            value = ""
        data[key] = value
    data.update(changes)
    return {k: v for k, v in data.items() if v != []}


def test_edit_forbidden_for_another_firms_admin(world):
    url = f"/enterprises/{world.firm.pk}/edit/"
    client = client_for(world.other_firm_admin)
    response = client.get(url)
    assert (
        response.status_code == 403
        and "Not allowed" in text(response)
        and 'id="main"' in text(response)
    )
    response = client.post(url, edit_data(world.firm, main_products="偷改"))
    assert response.status_code == 403
    world.firm.refresh_from_db()
    assert world.firm.main_products == "女装"


def test_edit_for_anonymous_redirects_to_login(world):
    response = client_for().get(f"/enterprises/{world.firm.pk}/edit/")
    assert response.status_code == 302 and "next=" in response["Location"]


def test_edit_saves_for_firm_admin_with_audit_and_provenance(world):
    url = f"/enterprises/{world.firm.pk}/edit/"
    client = client_for(world.firm_admin)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        edit_data(
            world.firm,
            main_products="女装、连衣裙",
            employees="350",
            stages=["garment_making", "design"],
            ecommerce_channels="天猫，抖音",
            contact_email_visibility="public",
        ),
    )
    assert response.status_code == 302 and response["Location"] == f"/enterprises/{world.firm.pk}/"
    e = Enterprise.objects.get(pk=world.firm.pk)
    assert e.main_products == "女装、连衣裙"
    assert e.employees == 350 and e.size_band == "medium"
    assert set(e.stages.values_list("code", flat=True)) == {"garment_making", "design"}
    assert e.ecommerce_channels == ["天猫", "抖音"]
    assert e.contact_visibility["contact_email"] == "public"
    assert e.field_provenance["main_products"]["org"] == world.firm_org.pk
    assert "name_zh" not in e.field_provenance  # unchanged fields keep their provenance
    assert AuditRecord.objects.filter(action=AuditRecord.Action.UPDATE).exists()
    # The new e-mail visibility shows on the public profile.
    assert "li@example.test" in text(client_for().get(f"/enterprises/{e.pk}/"))
    # Directory search sees the change.
    assert HUMEN_FIRM in text(client_for().get("/enterprises/", {"q": "连衣裙"}))


def test_edit_bad_input_changes_nothing(world):
    url = f"/enterprises/{world.firm.pk}/edit/"
    response = client_for(world.firm_admin).post(
        url,
        edit_data(
            world.firm,
            employees="-5",
            founded_year="1200",
            website="not a url",
            main_products="改了",
        ),
    )
    assert response.status_code == 200
    html = text(response)
    assert "nothing was saved" in html
    assert 'aria-invalid="true"' in html
    world.firm.refresh_from_db()
    assert world.firm.main_products == "女装"
