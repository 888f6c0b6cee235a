"""Demo data: services of the demo testing lab, a Humen voucher programme run by the Humen
cluster office, and a Humen firm's voucher with one order paid partly by it. Idempotent."""

import datetime
from decimal import Decimal

from django.db import transaction

from weft.accounts.models import Membership, Organisation
from weft.accounts.permissions import share_members
from weft.registry.demo.accounts import PROVIDER_ORG
from weft.registry.models import Cluster

from . import orders, vouchers
from .models import Category, Service, VoucherProgramme

PROGRAMME_NAME = "虎门中小企业公共服务券（2026，演示）"
SERVICES = [
    {
        "category": Category.TESTING,
        "title_zh": "纺织品纤维成分检测",
        "title_en": "Fibre content test",
        "price": Decimal("380.00"),
        "price_unit": "每个样品",
        "turnaround_days": 5,
        "area_served": "全国",
        "cnas_number": "CNAS L1234",
        "qualifications": "CMA 资质认定；GB/T 2910、FZ/T 01057",
        "description": "依据 GB/T 2910 系列标准，出具中英文检测报告。",
    },
    {
        "category": Category.TESTING,
        "title_zh": "甲醛含量与 pH 值检测（GB 18401）",
        "title_en": "Formaldehyde and pH test (GB 18401)",
        "price": Decimal("260.00"),
        "price_unit": "每个样品",
        "turnaround_days": 3,
        "area_served": "全国",
        "cnas_number": "CNAS L1234",
    },
    {
        "category": Category.TESTING,
        "title_zh": "色牢度全项检测",
        "title_en": "Colour fastness, full set",
        "price": None,
        "turnaround_days": 7,
        "area_served": "广东省、浙江省",
        "cnas_number": "CNAS L1234",
        "description": "按样品数量和项目报价。",
    },
    {
        "category": Category.CSR_AUDIT,
        "title_zh": "CSC9000T 社会责任现场审核",
        "title_en": "CSC9000T social-responsibility audit",
        "price": Decimal("6800.00"),
        "price_unit": "每次",
        "turnaround_days": 15,
        "area_served": "全国",
    },
]


def _admin_of(org):
    m = (
        Membership.objects.filter(organisation=org, role__in=("owner", "admin"))
        .select_related("user")
        .first()
    )
    return m.user if m else None


@transaction.atomic
def load_demo() -> str:
    lab = Organisation.objects.filter(
        kind=Organisation.Kind.SERVICE_PROVIDER, name_zh=PROVIDER_ORG[0]
    ).first()
    humen = Cluster.objects.filter(slug="humen").first()
    if lab is None or humen is None or humen.office_id is None:
        return ""
    for data in SERVICES:
        if not Service.objects.filter(provider=lab, title_zh=data["title_zh"]).exists():
            Service.objects.create(provider=lab, **data)
    office_user = _admin_of(humen.office)
    programme = VoucherProgramme.objects.filter(name_zh=PROGRAMME_NAME).first()
    if programme is None and office_user is not None:
        today = datetime.date.today()
        programme = vouchers.create_programme(
            user=office_user,
            issuer=humen.office,
            data={
                "name_zh": PROGRAMME_NAME,
                "name_en": "Humen small-firm service vouchers (2026, demo)",
                "description": "虎门镇对集群内中小企业购买检测、设计和云服务给予 30% 补贴。",
                "budget": Decimal("200000.00"),
                "subsidy_ratio": Decimal("0.30"),
                "cap_per_firm_year": Decimal("5000.00"),
                "categories": [Category.TESTING, Category.DESIGN, Category.CLOUD],
                "max_employees": 300,
                "apply_from": today - datetime.timedelta(days=30),
                "apply_until": today + datetime.timedelta(days=180),
                "validity_days": 180,
            },
            clusters=[humen],
        )
        _first_order(programme, lab, office_user)
    services = Service.objects.filter(provider=lab).count()
    return f"Services: {services} demo services of {lab.name_zh}; voucher programme “{PROGRAMME_NAME}”."


def _first_order(programme, lab, office_user):
    """firm_humen holds a voucher and has one fibre test paid partly by it, delivered."""
    firm_user = (
        Membership.objects.filter(user__username="firm_humen").select_related("user").first()
    )
    lab_user = _admin_of(lab)
    if firm_user is None or lab_user is None:
        return
    firm, user = firm_user.organisation, firm_user.user
    # A firm does not buy from a provider it shares people with (the order would be refused).
    if vouchers.ineligibility(programme, firm) or share_members(firm.pk, lab.pk):
        return
    application = vouchers.apply(
        user=user, programme=programme, firm=firm, amount=Decimal("3000.00"), note="演示申请"
    )
    vouchers.decide(user=office_user, application=application, approve=True, note="演示批准")
    application.refresh_from_db()
    service = Service.objects.get(provider=lab, title_zh=SERVICES[0]["title_zh"])
    order = orders.request_service(
        user=user, service=service, firm=firm, note="春季新款面料 2 个样品"
    )
    orders.transition(
        user=lab_user, order_id=order.pk, name="quote", amount=Decimal("760.00"), note="2 个样品"
    )
    orders.transition(user=user, order_id=order.pk, name="accept")
    vouchers.redeem(user=user, voucher_id=application.voucher.pk, order_id=order.pk)
    orders.transition(
        user=lab_user, order_id=order.pk, name="deliver", note="报告编号 HF-2026-0001"
    )
