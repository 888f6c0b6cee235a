"""A small services world on top of the permission-matrix world: two providers, services, and a
Humen programme issued by the Humen cluster office."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from tests.factories import OrganisationFactory, member_of
from weft.accounts.models import Membership, Organisation
from weft.services import orders, vouchers
from weft.services.models import Category, Service


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Market:
    w: object
    lab: Organisation
    lab_admin: object
    studio: Organisation
    studio_admin: object
    testing: Service
    design: Service
    quoted: Service
    programme: object


def make_programme(user, issuer, *, budget="1000.00", ratio="0.30", cap="500.00", **extra):
    today = datetime.date.today()
    data = {
        "name_zh": "虎门检测服务券",
        "name_en": "Humen testing vouchers",
        "budget": Decimal(budget),
        "subsidy_ratio": Decimal(ratio),
        "cap_per_firm_year": Decimal(cap),
        "categories": extra.pop("categories", [Category.TESTING]),
        "apply_from": today - datetime.timedelta(days=1),
        "apply_until": today + datetime.timedelta(days=30),
        "validity_days": 90,
        **extra,
    }
    clusters = data.pop("clusters", ())
    providers = data.pop("providers", ())
    return vouchers.create_programme(
        user=user, issuer=issuer, data=data, clusters=clusters, providers=providers
    )


@pytest.fixture
def market(world) -> Market:
    lab = OrganisationFactory(kind=Organisation.Kind.SERVICE_PROVIDER, name_zh="华纺检测中心")
    studio = OrganisationFactory(kind=Organisation.Kind.SERVICE_PROVIDER, name_zh="虎门设计工作室")
    testing = Service.objects.create(
        provider=lab,
        category=Category.TESTING,
        title_zh="面料成分检测",
        title_en="Fibre content test",
        price=Decimal("400.00"),
        price_unit="每个样品",
        cnas_number="CNAS L1234",
    )
    quoted = Service.objects.create(
        provider=lab, category=Category.TESTING, title_zh="色牢度检测（报价）", price=None
    )
    design = Service.objects.create(
        provider=studio, category=Category.DESIGN, title_zh="女装款式设计", price=Decimal("2000.00")
    )
    humen_office_org = Organisation.objects.get(pk=world.humen.office_id)
    programme = make_programme(world.humen_office, humen_office_org, clusters=[world.humen])
    return Market(
        w=world,
        lab=lab,
        lab_admin=member_of(lab, Membership.Role.ADMIN),
        studio=studio,
        studio_admin=member_of(studio, Membership.Role.ADMIN),
        testing=testing,
        design=design,
        quoted=quoted,
        programme=programme,
    )


def grant(m: Market, amount="300.00", programme=None, firm=None, user=None):
    programme = programme or m.programme
    app = vouchers.apply(
        user=user or m.w.firm_admin, programme=programme, firm=firm or m.w.firm_org, amount=amount
    )
    vouchers.decide(user=m.w.humen_office, application=app, approve=True)
    app.refresh_from_db()
    return app.voucher


def accepted_order(m: Market, service=None, firm=None, user=None):
    user = user or m.w.firm_admin
    order = orders.request_service(
        user=user, service=service or m.testing, firm=firm or m.w.firm_org
    )
    return orders.transition(user=user, order_id=order.pk, name="accept")
