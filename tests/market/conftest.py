import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import OrganisationFactory, make_enterprise, member_of
from weft.accounts.models import Membership, Organisation
from weft.market import firm_index, partners, services
from weft.registry.models import Certification
from weft.registry.taxonomy import load_taxonomy

HUMEN = {"latitude": Decimal("22.8200"), "longitude": Decimal("113.6700")}
KEQIAO = {
    "latitude": Decimal("30.0800"),
    "longitude": Decimal("120.4900"),
    "adcode": "330603",
    "province": "浙江省",
}


@pytest.fixture(autouse=True)
def _market_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def firm_with_admin(name, cluster, *, stages=("weaving",), certs=(), loc=HUMEN, **extra):
    firm = make_enterprise(name_zh=name, cluster=cluster, stages=stages, **{**loc, **extra})
    firm.certifications.set(Certification.objects.filter(code__in=certs))
    org = OrganisationFactory(kind=Organisation.Kind.ENTERPRISE, name_zh=name, enterprise=firm)
    admin = member_of(org, Membership.Role.ADMIN)
    return firm, org, admin


@pytest.fixture(autouse=True)
def _fresh_firm_index():
    """Rolled-back tests can reuse SQLite ids, which the in-memory index's stamp relies on."""
    firm_index._cache.clear()
    partners.forget()
    yield
    firm_index._cache.clear()
    partners.forget()


@dataclass
class Market:
    world: object
    buyer: object  # the Humen garment firm (world.firm)
    buyer_admin: object
    buyer_member: object
    keqiao_mill: object  # world.other_firm: weaving, Keqiao
    keqiao_admin: object
    humen_mill: object  # a weaving firm in Humen
    humen_mill_admin: object


@pytest.fixture
def market(world) -> Market:
    load_taxonomy()
    from weft.registry.models import Enterprise

    Enterprise.objects.filter(pk=world.firm.pk).update(**HUMEN)
    Enterprise.objects.filter(pk=world.other_firm.pk).update(**KEQIAO)
    world.firm.refresh_from_db()
    world.other_firm.refresh_from_db()
    humen_mill, _org, humen_admin = firm_with_admin("东莞市虎门镇华锦布业有限公司", world.humen)
    return Market(
        world=world,
        buyer=world.firm,
        buyer_admin=world.firm_admin,
        buyer_member=world.firm_member,
        keqiao_mill=world.other_firm,
        keqiao_admin=world.other_firm_admin,
        humen_mill=humen_mill,
        humen_mill_admin=humen_admin,
    )


def demand_data(**over) -> dict:
    today = timezone.localdate()
    data = {
        "title": "采购全棉府绸面料",
        "stage": "weaving",
        "category": "cotton_woven",
        "spec": "40支全棉府绸，漂白",
        "fibre_content": "100% 棉",
        "weight_gsm": 120,
        "width_cm": 150,
        "colour": "白色",
        "quantity": Decimal("5000"),
        "unit": "m",
        "target_price": Decimal("12.50"),
        "needed_by": today + datetime.timedelta(days=60),
        "quote_deadline": timezone.now() + datetime.timedelta(days=10),
        "delivery_address": "广东省东莞市虎门镇连升路1号",
        "visibility": "public",
    }
    data.update(over)
    return data


def offer_data(**over) -> dict:
    today = timezone.localdate()
    data = {
        "title": "梭织棉布产能",
        "stage": "weaving",
        "categories": ["cotton_woven"],
        "quantity": Decimal("3000"),
        "unit": "m",
        "period": "week",
        "available_from": today,
        "available_until": today + datetime.timedelta(days=90),
        "price": Decimal("12.00"),
        "min_order": Decimal("500"),
    }
    data.update(over)
    return data


def post_open(user, **over):
    return services.post_demand(user=user, data=demand_data(**over), publish=True)
