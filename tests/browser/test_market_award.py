"""A Humen garment firm posts a fabric demand; a Keqiao fabric mill finds it among its matches
and quotes; the garment firm compares the quotes and awards one."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import OrganisationFactory, UserFactory, make_enterprise
from weft.accounts.models import Membership, Organisation
from weft.market import services
from weft.market.models import Demand, Quote
from weft.registry.models import Cluster
from weft.registry.taxonomy import load_clusters, load_taxonomy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "weft-market-2026"  # noqa: S105
TITLE = "采购40支全棉府绸 5000米"


def firm(name, cluster, username, **extra):
    enterprise = make_enterprise(name_zh=name, cluster=cluster, **extra)
    org = OrganisationFactory(
        kind=Organisation.Kind.ENTERPRISE, name_zh=name, name_en="", enterprise=enterprise
    )
    user = UserFactory(username=username, password=PASSWORD)
    Membership.objects.create(user=user, organisation=org, role=Membership.Role.OWNER)
    return enterprise, user


@pytest.fixture
def firms(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }
    load_taxonomy()
    load_clusters()
    humen, keqiao = Cluster.objects.get(slug="humen"), Cluster.objects.get(slug="keqiao")
    garment, garment_user = firm(
        "东莞市虎门镇丽人制衣有限公司",
        humen,
        "liren",
        latitude=Decimal("22.82"),
        longitude=Decimal("113.67"),
    )
    mill, mill_user = firm(
        "绍兴柯桥锦绣纺织有限公司",
        keqiao,
        "jinxiu",
        stages=("weaving",),
        adcode="330603",
        province="浙江省",
        address="浙江省绍兴市柯桥区钱清街道1号",
        latitude=Decimal("30.08"),
        longitude=Decimal("120.49"),
    )
    today = timezone.localdate()
    services.post_offer(
        user=mill_user,
        data={
            "title": "全棉梭织产能 每周3000米",
            "stage": "weaving",
            "categories": ["cotton_woven"],
            "quantity": Decimal("3000"),
            "unit": "m",
            "period": "week",
            "available_from": today,
            "available_until": today + datetime.timedelta(days=120),
            "price": Decimal("12.00"),
            "min_order": Decimal("500"),
        },
    )
    return garment, mill


def log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


def test_post_match_quote_compare_award(page_for, firms):
    garment, mill = firms
    today = timezone.localdate()
    buyer = page_for("en-US")
    log_in(buyer, "liren")
    buyer.goto("/market/")
    buyer.get_by_role("button", name="Post a demand").click()
    buyer.get_by_label("What do you need?").fill(TITLE)
    buyer.get_by_label("Supplier's chain stage").select_option(label="Weaving")
    buyer.get_by_label("Product category").select_option(label="Cotton woven fabric")
    buyer.get_by_label("Specification").fill("40支全棉府绸，漂白，手感柔软")
    buyer.get_by_label("Fibre content").fill("100% 棉")
    buyer.get_by_label("Weight (g/m²)").fill("120")
    buyer.get_by_label("Width (cm)").fill("150")
    buyer.get_by_label("Quantity").fill("5000")
    buyer.get_by_label(re.compile(r"^Unit\b")).select_option(label="metres")
    buyer.get_by_label("Target price (yuan per unit)").fill("12.50")
    buyer.get_by_label("Needed by").fill(str(today + datetime.timedelta(days=60)))
    deadline = timezone.localtime() + datetime.timedelta(days=7)
    buyer.get_by_label("Quotes accepted until").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    buyer.get_by_label("Delivery address").fill("广东省东莞市虎门镇连升路1号")
    buyer.get_by_label("Who may see it").select_option(label="Everyone")
    buyer.get_by_role("button", name="Post the demand").click()

    expect(buyer.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(buyer.locator("#demand-status")).to_have_text("Open for quotes")
    # The buyer already sees the Keqiao mill among the suppliers that fit, with reasons.
    matches = buyer.locator("ol.matches")
    expect(matches).to_contain_text(mill.name_zh)
    expect(matches).to_contain_text("km from the delivery place")

    supplier = page_for("en-US")
    log_in(supplier, "jinxiu")
    supplier.goto("/market/mine/")
    feed = supplier.locator("#feed")
    expect(feed).to_contain_text(TITLE)
    expect(feed).to_contain_text("within the target")
    feed.get_by_role("link", name=TITLE).click()
    supplier.get_by_label("Unit price (yuan)").fill("11.80")
    supplier.get_by_label("Quantity").fill("5000")
    supplier.get_by_label("Lead time (days)").fill("25")
    supplier.get_by_label("Valid until").fill(str(today + datetime.timedelta(days=14)))
    supplier.get_by_label("Notes").fill("可先寄样布")
    supplier.get_by_role("button", name="Send the quote").click()
    expect(supplier.get_by_role("status")).to_contain_text("Your quote is sent to the buyer.")

    buyer.reload()
    table = buyer.locator("#quotes")
    expect(table).to_contain_text(mill.name_zh)
    expect(table).to_contain_text("¥11.80")
    expect(table).to_contain_text("¥59,000.00")
    expect(table).to_contain_text("可先寄样布")
    buyer.get_by_role("button", name=f"Award to {mill.name_zh}").click()
    expect(buyer.locator("#demand-status")).to_have_text("Awarded")
    expect(buyer.get_by_role("status")).to_contain_text(f"Awarded to {mill.name_zh}")

    demand = Demand.objects.get(title=TITLE)
    assert demand.status == Demand.Status.AWARDED
    assert Quote.objects.get(demand=demand).status == Quote.Status.AWARDED
    # The supplier was told in the platform.
    supplier.goto("/market/mine/")
    expect(supplier.locator("#notifications")).to_contain_text(f"Your quote was awarded: {TITLE}")
