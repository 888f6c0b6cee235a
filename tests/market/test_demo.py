from io import StringIO

import pytest
from django.core.management import call_command

from weft.accounts.models import User
from weft.market import matching, selectors
from weft.market.models import CapacityOffer, Demand, Quote

pytestmark = pytest.mark.django_db


def test_demo_marketplace_is_idempotent_and_shows_matching(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("setup_demo", "--enterprises", "400", stdout=StringIO(), stderr=StringIO())
    counts = (Demand.objects.count(), CapacityOffer.objects.count(), Quote.objects.count())
    call_command("setup_demo", "--enterprises", "400", stdout=StringIO(), stderr=StringIO())
    assert (Demand.objects.count(), CapacityOffer.objects.count(), Quote.objects.count()) == counts
    assert counts[0] == 2 and counts[1] >= 2 and counts[2] == 1
    fabric = Demand.objects.get(title__startswith="采购40支全棉府绸")
    assert fabric.status == Demand.Status.OPEN
    keqiao = User.objects.get(username="firm_keqiao")
    assert fabric in [m.demand for m in selectors.supplier_feed(keqiao)]
    mill = keqiao.memberships.get().organisation.enterprise
    assert mill.pk in [m.supplier_id for m in matching.matches_for_demand(fabric)]
    # The cluster-only zipper demand is not shown to the Keqiao firm.
    zippers = Demand.objects.get(title__startswith="采购5号树脂拉链")
    assert zippers not in selectors.visible_demands(keqiao)
