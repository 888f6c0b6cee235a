"""A new firm's row made from a draft is the row a model instance with the same values gives."""

from decimal import Decimal

import pytest

from weft.audit.services import snapshot
from weft.imports.engine import AUDITED, Draft, _row_maker
from weft.registry.models import Enterprise

pytestmark = pytest.mark.django_db


def test_a_draft_makes_the_row_an_enterprise_makes():
    values = {
        "name_zh": "东莞市虎门镇丽人制衣有限公司",
        "uscc": "91441900MA0000015D",
        "address": "广东省东莞市虎门镇连升路8号",
        "adcode": "441900",
        "latitude": Decimal("22.815000"),
        "longitude": Decimal("113.673000"),
        "employees": 80,
        "legal_form": Enterprise.LegalForm.LIMITED,
        "source": Enterprise.Source.IMPORT,
        "field_provenance": {"name_zh": {"import": 7}},
        "search_tokens": ["丽人", "p:44"],
    }
    row_of = _row_maker(Enterprise)
    draft, instance = Draft(**values), Enterprise(**values)
    assert row_of(draft) == row_of(instance)
    assert snapshot(draft, AUDITED) == snapshot(instance, AUDITED)
    # Defaults are the model's, and no two drafts share a mutable one.
    other = Draft()
    assert other.contact_visibility == {} and other.ecommerce_channels == []
    other.contact_visibility["contact_name"] = "public"
    assert Draft().contact_visibility == {}
    assert row_of(Draft()) == row_of(Enterprise())
