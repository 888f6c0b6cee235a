"""The garment firm edits its open demand after a quote came in: priced fields are locked, the
spec and quantity change, the history says so and the quoting mill is told."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from weft.market import services
from weft.market.models import Demand

from .test_market_award import TITLE, firms, log_in  # noqa: F401  (firms is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_buyer_edits_a_quoted_demand(page_for, firms):  # noqa: F811
    garment, mill = firms
    from weft.accounts.models import User

    buyer_user, mill_user = User.objects.get(username="liren"), User.objects.get(username="jinxiu")
    today = timezone.localdate()
    demand = services.post_demand(
        user=buyer_user,
        publish=True,
        data={
            "title": TITLE,
            "stage": "weaving",
            "category": "cotton_woven",
            "spec": "40支全棉府绸，漂白",
            "quantity": Decimal("5000"),
            "unit": "m",
            "target_price": Decimal("12.50"),
            "needed_by": today + datetime.timedelta(days=60),
            "quote_deadline": timezone.now() + datetime.timedelta(days=7),
            "delivery_address": "广东省东莞市虎门镇连升路1号",
        },
    )
    services.submit_quote(
        user=mill_user,
        demand=demand,
        data={
            "unit_price": Decimal("11.80"),
            "quantity": Decimal("5000"),
            "lead_time_days": 25,
            "valid_until": today + datetime.timedelta(days=14),
        },
    )

    buyer = page_for("en-US")
    log_in(buyer, "liren")
    buyer.goto(f"/market/demands/{demand.pk}/")
    buyer.get_by_role("button", name="Edit the demand").click()
    expect(buyer.locator("#locked-note")).to_contain_text("Quotes have been received")
    expect(buyer.get_by_label("Product category")).to_be_disabled()
    expect(buyer.get_by_label("Delivery address")).to_be_disabled()
    buyer.get_by_label("Specification").fill("40支全棉府绸，漂白，需防缩水处理")
    buyer.get_by_label("Quantity").fill("6000")
    buyer.get_by_role("button", name="Save the changes").click()

    expect(buyer.get_by_role("status")).to_contain_text("Your changes are saved.")
    expect(buyer.locator("dl.facts")).to_contain_text("需防缩水处理")
    expect(buyer.locator("dl.facts")).to_contain_text("6000")
    buyer.get_by_text("History").click()
    expect(buyer.get_by_text("edited: quantity, spec")).to_be_visible()

    # An earlier needed-by date would break the mill's lead time: refused, nothing changed.
    buyer.get_by_role("button", name="Edit the demand").click()
    buyer.get_by_label("Needed by").fill(str(today + datetime.timedelta(days=20)))
    buyer.get_by_role("button", name="Save the changes").click()
    expect(buyer.get_by_role("alert")).to_contain_text(
        "the needed-by date may move later, not earlier"
    )
    assert Demand.objects.get(pk=demand.pk).needed_by == today + datetime.timedelta(days=60)

    supplier = page_for("en-US")
    log_in(supplier, "jinxiu")
    supplier.goto("/market/mine/")
    expect(supplier.locator("#notifications")).to_contain_text(
        f"The buyer changed the demand “{TITLE}”: check your quote"
    )
