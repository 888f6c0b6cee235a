"""Notifications: strong matches, invitations, saved searches, awards — in the platform and by email."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from tests.market.conftest import firm_with_admin, offer_data, post_open
from weft.market import services
from weft.market.models import Notification, SavedSearch

pytestmark = pytest.mark.django_db


def test_strong_match_tells_the_supplier_in_platform_and_by_email(market, settings):
    settings.WEFT_SITE_URL = "https://weft.example.org/"
    w = market.world
    _firm, _org, green_admin = firm_with_admin(
        "东莞市虎门镇绿源布业有限公司", w.humen, certs=("gots", "bluesign", "grs")
    )
    services.post_offer(user=green_admin, data=offer_data())  # near, green, same cluster
    services.post_offer(user=market.keqiao_admin, data=offer_data())  # far: not strong
    mail.outbox.clear()
    demand = post_open(market.buyer_admin)
    note = Notification.objects.get(user=green_admin, kind="strong_match")
    assert demand.title in note.message_zh and note.url == f"/market/demands/{demand.pk}/"
    assert not Notification.objects.filter(user=market.keqiao_admin, kind="strong_match")
    assert [m.to for m in mail.outbox] == [[green_admin.email]]
    # The e-mail's link works from a mail reader: the site's address, not a path alone.
    assert f"https://weft.example.org/market/demands/{demand.pk}/" in mail.outbox[0].body


def test_saved_search_tells_only_those_who_may_see_the_post(market):
    services.save_search(
        user=market.keqiao_admin, name="府绸", kind="demands", filters={"q": "府绸"}
    )
    services.save_search(
        user=market.humen_mill_admin, name="府绸", kind="demands", filters={"q": "府绸"}
    )
    services.save_search(
        user=market.humen_mill_admin, name="牛仔", kind="demands", filters={"q": "牛仔"}
    )
    post_open(market.buyer_admin, title="虎门内部采购府绸", visibility="cluster")
    hits = Notification.objects.filter(kind="saved_search")
    assert [n.user for n in hits] == [market.humen_mill_admin]
    assert "府绸" in hits.get().message_zh


def test_invitation_and_award_notify_the_supplier(market):
    demand = post_open(market.buyer_admin, visibility="invited")
    services.invite(user=market.buyer_admin, demand=demand, enterprise=market.keqiao_mill)
    assert Notification.objects.filter(user=market.keqiao_admin, kind="invitation").exists()
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    quote = services.submit_quote(
        user=market.keqiao_admin,
        demand=demand,
        data={
            "unit_price": Decimal("12"),
            "quantity": Decimal("5000"),
            "lead_time_days": 20,
            "valid_until": timezone.localdate() + datetime.timedelta(days=5),
        },
    )
    assert Notification.objects.filter(user=market.buyer_admin, kind="quote").exists()
    services.award(user=market.buyer_admin, quote=quote)
    assert Notification.objects.filter(user=market.keqiao_admin, kind="award").exists()


def test_saved_search_longer_than_the_search_box_is_refused(market):
    # Saved and then run on every publication: a thousand words made SQLite refuse the query
    # there, and so no saved search was told of any new demand.
    services.save_search(
        user=market.humen_mill_admin, name="府绸", kind="demands", filters={"q": "府绸"}
    )
    with pytest.raises(ValidationError) as refused:
        services.save_search(
            user=market.keqiao_admin, name="长", kind="demands", filters={"q": "ab " * 1000}
        )
    assert "100" in refused.value.message_dict["q"][0]
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(market.keqiao_admin)
    answer = client.post(
        "/api/v1/saved-searches",
        {"name": "长", "filters": {"q": "ab " * 1000}},
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert answer.json()["message"] == "搜索内容最多 100 个字符。"
    assert SavedSearch.objects.count() == 1
    post_open(market.buyer_admin, title="采购府绸")
    assert Notification.objects.filter(kind="saved_search", user=market.humen_mill_admin).exists()
