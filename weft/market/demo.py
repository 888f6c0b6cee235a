"""Demo marketplace: demands of the Humen garment firm, spare capacity of the Keqiao mill and of
a few other demo firms, and a quote, so `make run` shows matching, quotes and awards at once.

Idempotent: everything is looked up by title first. The demo logins' posts go through the same
services as a person's clicks; other demo firms' offers are written with the same derived columns.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from weft.accounts.models import Membership, Organisation, User
from weft.registry.models import ClusterMembership, Enterprise

from . import services
from .models import CapacityOffer, Demand, Quote


def _admin_of_firm(username: str):
    user = User.objects.filter(username=username).first()
    if user is None:
        return None, None
    m = (
        Membership.objects.filter(user=user, organisation__kind=Organisation.Kind.ENTERPRISE)
        .select_related("organisation__enterprise")
        .first()
    )
    return (user, m.organisation.enterprise) if m and m.organisation.enterprise else (None, None)


def _demands(user, firm, today):
    rows = [
        {
            "title": "采购40支全棉府绸 8000米",
            "stage": "weaving",
            "category": "cotton_woven",
            "spec": "40×40 133×72 全棉府绸，漂白，用于女士衬衫",
            "fibre_content": "100% 棉",
            "weight_gsm": 115,
            "width_cm": 150,
            "colour": "漂白",
            "quantity": Decimal("8000"),
            "unit": "m",
            "target_price": Decimal("12.80"),
            "needed_by": today + datetime.timedelta(days=45),
            "quote_deadline": timezone.now() + datetime.timedelta(days=14),
            "delivery_address": "广东省东莞市虎门镇连升路1号",
            "certifications": ["oeko_tex_100"],
            "visibility": "public",
        },
        {
            "title": "采购5号树脂拉链 20000条",
            "stage": "accessories",
            "category": "zippers",
            "spec": "5号树脂闭尾拉链，长度18cm，颜色按色卡",
            "quantity": Decimal("20000"),
            "unit": "pcs",
            "target_price": Decimal("0.65"),
            "needed_by": today + datetime.timedelta(days=30),
            "quote_deadline": timezone.now() + datetime.timedelta(days=7),
            "delivery_address": "广东省东莞市虎门镇连升路1号",
            "visibility": "cluster",
        },
    ]
    made = []
    for data in rows:
        demand = Demand.objects.filter(buyer=firm, title=data["title"]).first()
        if demand is None:
            demand = services.post_demand(user=user, data=data, publish=True)
        made.append(demand)
    return made


def _offer_row(firm, org, title, stage, cats, qty, unit, price, today):
    offer = CapacityOffer.objects.filter(supplier=firm, title=title).first()
    if offer is not None:
        return offer
    offer = CapacityOffer(
        supplier=firm,
        supplier_org=org,
        title=title,
        stage=stage,
        categories=cats,
        quantity=Decimal(qty),
        unit=unit,
        period="week",
        available_from=today,
        available_until=today + datetime.timedelta(days=120),
        price=Decimal(price),
        min_order=Decimal("500"),
    )
    services.refresh_offer_index(offer)
    return offer


@transaction.atomic
def load_demo() -> str:
    today = timezone.localdate()
    buyer_user, buyer = _admin_of_firm("firm_humen")
    mill_user, mill = _admin_of_firm("firm_keqiao")
    if buyer is None or mill is None:
        return ""
    # The demo Keqiao mill holds OEKO-TEX 100, which the fabric demand requires.
    from weft.registry.models import Certification

    mill.certifications.add(*Certification.objects.filter(code__in=["oeko_tex_100", "csc9000t"]))
    mill_org = Organisation.objects.get(enterprise=mill)
    offers = [
        _offer_row(
            mill,
            mill_org,
            "全棉梭织闲置产能 每周5000米",
            "weaving",
            ["cotton_woven", "polyester_woven"],
            5000,
            "m",
            "12.20",
            today,
        )
    ]
    CapacityOffer.objects.filter(supplier=mill).update(
        cert_tokens=" " + " ".join(sorted(mill.certifications.values_list("code", flat=True))) + " "
    )
    # Other demo weaving and accessory firms with spare capacity, in several clusters.
    for stage, cat, unit, price, qty in (
        ("weaving", "cotton_woven", "m", "13.50", 4000),
        ("accessories", "zippers", "pcs", "0.60", 60000),
    ):
        if (
            CapacityOffer.objects.filter(stage=stage, supplier__is_demo=True)
            .exclude(supplier=mill)
            .exists()
        ):
            continue
        firms = (
            Enterprise.objects.filter(
                is_demo=True,
                organisation__isnull=True,
                stages__code=stage,
                cluster_memberships__status=ClusterMembership.Status.APPROVED,
            )
            .order_by("id")
            .distinct()[:4]
        )
        for firm in firms:
            org = Organisation.objects.create(
                kind=Organisation.Kind.ENTERPRISE,
                name_zh=firm.name_zh,
                name_en=firm.name_en,
                enterprise=firm,
                is_demo=True,
            )
            offers.append(
                _offer_row(
                    firm,
                    org,
                    f"{firm.name_zh[:12]} 闲置产能",
                    stage,
                    [cat],
                    qty,
                    unit,
                    price,
                    today,
                )
            )
    demands = _demands(buyer_user, buyer, today)
    fabric = demands[0]
    if not Quote.objects.filter(demand=fabric, supplier=mill).exists():
        services.submit_quote(
            user=mill_user,
            demand=fabric,
            data={
                "unit_price": Decimal("12.30"),
                "quantity": fabric.quantity,
                "lead_time_days": 21,
                "valid_until": today + datetime.timedelta(days=20),
                "notes": "可先寄样布，OEKO-TEX 100 证书随货",
                "offer_id": offers[0].pk,
            },
        )
    # What each demo firm makes, so firms without an offer are ranked too (bulk-made demo firms
    # never sent the registry's signals).
    makers = list(
        Enterprise.objects.filter(stages__isnull=False).values_list("pk", flat=True).distinct()
    )
    rows = sum(
        services.refresh_capabilities(makers[i : i + 2000]) for i in range(0, len(makers), 2000)
    )
    return (
        f"Marketplace: {Demand.objects.filter(buyer=buyer).count()} demands of firm_humen, "
        f"{CapacityOffer.objects.count()} capacity offers, a quote from firm_keqiao to compare, "
        f"{rows} firm capabilities for matching."
    )
