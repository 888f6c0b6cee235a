"""Service order pages in Chinese use the services wording, not another app's."""

import pytest
from django.test import Client

from weft.services import orders

pytestmark = pytest.mark.django_db


def test_requested_order_status(market):
    # A service without a list price waits for the provider's quote: the order stays requested.
    order = orders.request_service(
        user=market.w.firm_admin, service=market.quoted, firm=market.w.firm_org
    )
    for lang, status, wrong in (("zh-hans", "已提交需求", "申请时间"), ("en", "Requested", "申请")):
        client = Client(HTTP_ACCEPT_LANGUAGE=lang)
        client.force_login(market.w.firm_admin)
        html = client.get(f"/services/orders/{order.pk}/").content.decode()
        assert '<strong id="order-status">' in html
        shown = html[html.index('<strong id="order-status">') :].split("</strong>")[0]
        assert status in shown and wrong not in shown
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(market.w.firm_admin)
    html = client.get(f"/services/orders/{order.pk}/").content.decode()
    assert "<h2>状态记录</h2>" in html and "<h2>历史</h2>" not in html  # not Django admin's
