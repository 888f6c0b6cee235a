"""The self-assessment page in Chinese uses the CSR wording, not another app's."""

import pytest
from django.test import Client

from weft.csr import services

from .conftest import all_answers

pytestmark = pytest.mark.django_db


def test_review_section_and_action_button(world):
    a = services.start_assessment(user=world.firm_admin, enterprise=world.firm)
    services.save_answers(user=world.firm_admin, assessment=a, answers=all_answers("yes"))
    services.submit(user=world.firm_admin, assessment=a)
    for lang, review, note in (("zh-hans", "审核", "备注"), ("en", "Review", "Note")):
        client = Client(HTTP_ACCEPT_LANGUAGE=lang)
        client.force_login(world.humen_office)
        html = client.get(f"/csr/assessments/{a.pk}/").content.decode()
        assert f"<h2>{review}</h2>" in html and f"<label>{note}<textarea" in html
        if lang == "zh-hans":
            assert "<h2>评价</h2>" not in html
            assert "<th>措施</th>" in html and "动作" not in html  # not Django admin's "Action"
