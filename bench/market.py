#!/usr/bin/env python3
"""Benchmark of marketplace matching on SQLite and PostgreSQL.

    .venv/bin/python bench/market.py                                  # 1,000,000 firms, 100,000 offers
    .venv/bin/python bench/market.py --firms 20000 --offers 5000 --backends sqlite   # quick

For each backend: a fresh database under var/bench/ (SQLite file, or a throwaway PostgreSQL 15
cluster on 127.0.0.1), `migrate`, then generated data: N firms spread over the real clusters
(located at their cluster, some certified), M open capacity offers of random firms, and Q query
demands. For every query demand, 10 "right" suppliers are planted: firms of the buyer's cluster with
good ratings, green certifications, enough capacity and a price within the target; 5 decoys that
look even better fail one hard filter each (closed, hidden, too little capacity, wrong unit, over).

Measured, in one process per backend:
- top-20 matches for a demand (`matching.matches_for_demand`, scored by the database): p50/p95;
- the naive baseline in the same run: read every open offer and score it in Python; the ratio;
- top-10 recall against the planted suppliers (goal >= 0.9), and agreement with the naive top 20;
- posting throughput: demands and offers posted through the services (validation, duplicate
  check, audit, task enqueued), one at a time.
Results: a table on stdout and bench/results/market-latest.json.
"""

import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
VAR = ROOT / "var" / "bench"
RESULTS = HERE / "results"
PY = sys.executable
P95_GOAL_MS = 50.0
FIRMS_DECLARING = 0.4
RECALL_GOAL = 0.9


def log(message: str) -> None:
    print(
        f"[{datetime.datetime.now(datetime.UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True
    )


# --- the worker: runs inside Django against one database --------------------------------------

STAGE_UNITS = {
    "fiber": "t",
    "spinning": "kg",
    "weaving": "m",
    "knitting": "kg",
    "dyeing_finishing": "m",
    "printing": "m",
    "accessories": "pcs",
    "garment_making": "pcs",
    "home_textiles": "set",
}
PRICES = {"t": 9000, "kg": 30, "m": 12, "pcs": 40, "set": 120}
GREEN = ["csc9000t", "bluesign", "grs"]


def generate(args) -> dict:
    """Fill a migrated, empty database; return what the measurement needs (saved as JSON)."""
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from weft.accounts.models import Membership, Organisation, User
    from weft.market import services, vocabulary
    from weft.market.models import (
        CapacityOffer,
        Demand,
        SupplierCapability,
        SupplierRecord,
        Visibility,
    )
    from weft.registry.models import (
        Certification,
        ChainStage,
        Cluster,
        ClusterMembership,
        Enterprise,
    )
    from weft.registry.taxonomy import load_clusters, load_taxonomy

    load_taxonomy()
    load_clusters()
    rng = random.Random(args.seed)
    today = timezone.localdate()
    clusters = list(Cluster.objects.all())
    cert_ids = dict(Certification.objects.values_list("code", "id"))
    info = {"backend": connection.vendor}

    # Firms, located at their cluster (with jitter), each an approved member of it.
    t0 = time.perf_counter()
    firm_cluster = {}
    batch = 5000
    made = 0
    stages = [s for s in STAGE_UNITS if s in vocabulary.CATEGORIES]
    stage_ids = dict(ChainStage.objects.values_list("code", "id"))
    makes: dict[int, set] = {}  # firm -> {(stage, category)}: declared, or from its offers
    stage_through = Enterprise.stages.through
    zh_of = {c: zh for rows in vocabulary.CATEGORIES.values() for c, zh, _en in rows}
    while made < args.firms:
        rows, members, chosen, declared = [], [], [], []
        n = min(batch, args.firms - made)
        for i in range(made, made + n):
            c = rng.choice(clusters)
            chosen.append(c)
            # Two firms in five declare a stage and name one or two of its products.
            pairs = ()
            if rng.random() < FIRMS_DECLARING:
                stage = rng.choice(stages)
                cats = vocabulary.CATEGORIES[stage]
                pairs = tuple((stage, c) for c, _zh, _en in rng.sample(cats, min(2, len(cats))))
                pairs = pairs[: rng.randint(1, len(pairs))]
            declared.append(pairs)
            rows.append(
                Enterprise(
                    name_zh=f"{c.place_zh or c.name_zh}演示纺织企业{i}",
                    name_sort=f"yanshi{i:08d}",
                    province=c.province,
                    adcode=c.adcode,
                    latitude=round(float(c.latitude) + rng.uniform(-0.2, 0.2), 6),
                    longitude=round(float(c.longitude) + rng.uniform(-0.2, 0.2), 6),
                    geocode_precision="county",
                    main_products="、".join(zh_of[c] for _s, c in pairs),
                    source="demo",
                    is_demo=True,
                )
            )
        with transaction.atomic():
            created = Enterprise.objects.bulk_create(rows)
            links = []
            for e, cluster, pairs in zip(created, chosen, declared, strict=True):
                firm_cluster[e.pk] = cluster.pk
                members.append(
                    ClusterMembership(enterprise_id=e.pk, cluster_id=cluster.pk, status="approved")
                )
                if pairs:
                    makes[e.pk] = set(pairs)
                    links.append(
                        stage_through(enterprise_id=e.pk, chainstage_id=stage_ids[pairs[0][0]])
                    )
            ClusterMembership.objects.bulk_create(members)
            stage_through.objects.bulk_create(links)
        made += n
    firm_ids = list(firm_cluster)
    by_cluster: dict[int, list[int]] = {}
    for fid, cid in firm_cluster.items():
        by_cluster.setdefault(cid, []).append(fid)
    firm_rows = {
        pk: (lat, lon, adcode)
        for pk, lat, lon, adcode in Enterprise.objects.values_list(
            "pk", "latitude", "longitude", "adcode"
        )
    }
    info["firms_s"] = round(time.perf_counter() - t0, 1)
    log(f"{connection.vendor}: {len(firm_ids):,} firms in {info['firms_s']} s")

    orgs: dict[int, int] = {}

    def org_for(firm_ids_needed):
        todo = [f for f in firm_ids_needed if f not in orgs]
        for i in range(0, len(todo), batch):
            chunk = todo[i : i + batch]
            made_orgs = Organisation.objects.bulk_create(
                [
                    Organisation(kind="enterprise", name_zh=f"演示企业{f}", enterprise_id=f)
                    for f in chunk
                ]
            )
            orgs.update({o.enterprise_id: o.pk for o in made_orgs})

    certs_of: dict[int, list[str]] = {}
    history_of: dict[int, float] = {}

    def offer(firm, stage, categories, unit, price, *, qty, start, end, status="open", hidden=None):
        lat, lon, adcode = firm_rows[firm]
        vec = services.unit_vector(lat, lon)
        certs = certs_of.get(firm, [])
        makes.setdefault(firm, set()).update((stage, c) for c in categories)
        return CapacityOffer(
            supplier_id=firm,
            supplier_org_id=orgs[firm],
            title=f"{vocabulary.category_label(categories[0])}产能",
            stage=stage,
            categories=categories,
            quantity=qty,
            unit=unit,
            period="week",
            available_from=start,
            available_until=end,
            price=price,
            min_order=0,
            status=status,
            hidden_at=hidden,
            category_tokens=" " + " ".join(categories) + " ",
            daily_capacity=float(qty) / 7,
            start_day=start.toordinal(),
            end_day=end.toordinal(),
            geo_x=vec[0],
            geo_y=vec[1],
            geo_z=vec[2],
            province_code=adcode[:2],
            cluster_tokens=f" c:{firm_cluster[firm]} ",
            cert_tokens=" " + " ".join(sorted(certs)) + " ",
            green_score=services.green_score(certs),
            history_score=history_of.get(firm, services.HISTORY_PRIOR),
            search_text="",
        )

    # Query demands, each with planted right suppliers and decoys.
    t0 = time.perf_counter()
    buyer_user = User.objects.create(username="bench_buyer")
    demands, planted = [], {}
    used = set()
    used_in: dict[int, set] = {}
    offers: list = []
    for q in range(args.demands):
        cluster = rng.choice(
            [c for c in clusters if len(by_cluster.get(c.pk, [])) - len(used_in.get(c.pk, ())) > 16]
        )
        members = [f for f in by_cluster[cluster.pk] if f not in used][:16]
        used_in.setdefault(cluster.pk, set()).update(members)
        buyer = members[0]
        right = members[1:11]
        decoys = members[11:16]
        used.update(members[:16])
        stage = rng.choice(stages)
        category = rng.choice(vocabulary.CATEGORIES[stage])[0]
        unit = STAGE_UNITS[stage]
        target = PRICES[unit]
        quantity = rng.choice([2000, 5000, 10000, 20000])
        needed = today + datetime.timedelta(days=rng.randint(30, 90))
        org_for([buyer, *right, *decoys])
        Membership.objects.get_or_create(
            user=buyer_user, organisation_id=orgs[buyer], defaults={"role": "admin"}
        )
        lat, lon, adcode = firm_rows[buyer]
        demand = Demand.objects.create(
            buyer_id=buyer,
            buyer_org_id=orgs[buyer],
            title=f"采购{vocabulary.category_label(category)} {q}",
            stage=stage,
            category=category,
            quantity=quantity,
            unit=unit,
            target_price=target,
            needed_by=needed,
            quote_deadline=timezone.now() + datetime.timedelta(days=10),
            delivery_address=f"{cluster.province}{cluster.prefecture}{cluster.county}",
            delivery_adcode=adcode,
            delivery_lat=float(lat),
            delivery_lon=float(lon),
            visibility=Visibility.CLUSTER if q % 5 == 0 else Visibility.PUBLIC,
            status=Demand.Status.OPEN,
            published_at=timezone.now(),
        )
        demand.clusters.set([cluster.pk])
        demands.append(demand)
        big = quantity  # per week: the quantity in a week
        for f in right:
            certs_of[f] = list(GREEN)
            history_of[f] = rng.uniform(0.85, 0.97)
        for f in decoys:
            certs_of[f] = list(GREEN)
            history_of[f] = 1.0
        start, end = today, today + datetime.timedelta(days=120)
        plant = [
            offer(
                f,
                stage,
                [category],
                unit,
                target * rng.uniform(0.85, 1.0),
                qty=big,
                start=start,
                end=end,
            )
            for f in right
        ]
        d_price = target * 0.8
        plant_decoys = [
            offer(
                decoys[0],
                stage,
                [category],
                unit,
                d_price,
                qty=big,
                start=start,
                end=end,
                status="closed",
            ),
            offer(
                decoys[1],
                stage,
                [category],
                unit,
                d_price,
                qty=big,
                start=start,
                end=end,
                hidden=timezone.now(),
            ),
            offer(
                decoys[2],
                stage,
                [category],
                unit,
                d_price,
                qty=quantity / 100,
                start=start,
                end=end,
            ),
            offer(
                decoys[3],
                stage,
                [category],
                "kg" if unit != "kg" else "m",
                d_price,
                qty=big,
                start=start,
                end=end,
            ),
            offer(
                decoys[4],
                stage,
                [category],
                unit,
                d_price,
                qty=big,
                start=today - datetime.timedelta(days=60),
                end=today - datetime.timedelta(days=1),
            ),
        ]
        offers += plant + plant_decoys
        planted[demand.pk] = set()  # filled after insert
        demand._plant = plant
    ids = [f for f in firm_ids if f not in used]
    # Certifications and ratings of the other firms: a fifth certified, a tenth rated.
    for f in rng.sample(ids, len(ids) // 5):
        certs_of[f] = rng.sample(sorted(cert_ids), rng.randint(1, 3))
    for f in rng.sample(ids, len(ids) // 10):
        history_of[f] = rng.uniform(0.2, 0.9)
    suppliers = [rng.choice(ids) for _ in range(max(0, args.offers - len(offers)))]
    org_for(set(suppliers))
    for f in suppliers:
        stage = rng.choice(stages)
        cats = [c for c, _zh, _en in vocabulary.CATEGORIES[stage]]
        chosen = rng.sample(cats, rng.randint(1, min(3, len(cats))))
        unit = STAGE_UNITS[stage]
        start = today + datetime.timedelta(days=rng.randint(-30, 60))
        offers.append(
            offer(
                f,
                stage,
                chosen,
                unit,
                PRICES[unit] * rng.uniform(0.7, 1.6),
                qty=rng.choice([500, 1000, 3000, 5000, 10000, 30000]),
                start=start,
                end=start + datetime.timedelta(days=rng.randint(20, 180)),
            )
        )
    for i in range(0, len(offers), batch):
        with transaction.atomic():
            CapacityOffer.objects.bulk_create(offers[i : i + batch])
    for d in demands:
        planted[d.pk] = {o.pk for o in d._plant}
    # Certifications and ratings as rows, as the services would have left them.
    through = Enterprise.certifications.through
    rows = [
        through(enterprise_id=f, certification_id=cert_ids[c])
        for f, codes in certs_of.items()
        for c in codes
    ]
    for i in range(0, len(rows), batch):
        through.objects.bulk_create(rows[i : i + batch], ignore_conflicts=True)
    SupplierRecord.objects.bulk_create(
        [
            SupplierRecord(enterprise_id=f, ratings=10, on_time=8, quality_sum=40)
            for f in history_of
        ],
        batch_size=batch,
        ignore_conflicts=True,
    )
    # What each firm makes, as services.refresh_capabilities would have left it.
    caps = []
    for f, pairs in makes.items():
        lat, lon, adcode = firm_rows[f]
        vec = services.unit_vector(lat, lon)
        certs = sorted(certs_of.get(f, []))
        for stage, category in sorted(pairs):
            caps.append(
                SupplierCapability(
                    enterprise_id=f,
                    stage=stage,
                    category=category,
                    geo_x=vec[0],
                    geo_y=vec[1],
                    geo_z=vec[2],
                    province_code=adcode[:2],
                    cluster_tokens=f" c:{firm_cluster[f]} ",
                    cert_tokens=" " + " ".join(certs) + " ",
                    green_score=services.green_score(certs),
                    history_score=history_of.get(f, services.HISTORY_PRIOR),
                )
            )
        if len(caps) >= batch:
            SupplierCapability.objects.bulk_create(caps)
            caps = []
    SupplierCapability.objects.bulk_create(caps)
    info["capabilities"] = SupplierCapability.objects.count()
    info["offers"] = CapacityOffer.objects.count()
    info["open_offers"] = CapacityOffer.objects.filter(status="open").count()
    info["firms"] = Enterprise.objects.count()
    info["offers_s"] = round(time.perf_counter() - t0, 1)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    log(f"{connection.vendor}: {info['offers']:,} offers in {info['offers_s']} s")
    info["demand_ids"] = [d.pk for d in demands]
    info["planted"] = {str(d.pk): sorted(planted[d.pk]) for d in demands}
    info["spare_firms"] = rng.sample(ids, min(len(ids), 1000))
    return info


PARTNER_THEME = "bench partner clusters"
PARTNERS_PER_BUYER = 3


def plant_partners(meta: dict, seed: int) -> int:
    """Docking events where each query demand's buyer met firms of 3 other clusters (accepted
    meetings at past events), so every demand's clusters have partner clusters and the partner
    term is scored at full size. Idempotent: a database that has them keeps them."""
    from django.db import transaction
    from django.utils import timezone

    from weft.chain.models import DockingEvent, DockingSlot, Meeting, Registration
    from weft.market.models import Demand
    from weft.registry.models import Cluster, ClusterMembership

    if DockingEvent.objects.filter(theme=PARTNER_THEME).exists():
        return 0
    rng = random.Random(seed)
    clusters = list(Cluster.objects.order_by("pk").values_list("pk", flat=True))
    demands = list(
        Demand.objects.filter(pk__in=meta["demand_ids"])
        .order_by("pk")
        .values_list("pk", "buyer_id")
    )
    buyers = {b for _d, b in demands}
    buyer_cluster = dict(
        ClusterMembership.objects.filter(enterprise_id__in=buyers).values_list(
            "enterprise_id", "cluster_id"
        )
    )
    day = timezone.localdate() - datetime.timedelta(days=30)
    made = 0
    with transaction.atomic():
        for n in range(0, len(demands), 10):  # one event per ten buyers
            event = DockingEvent.objects.create(
                host_id=buyer_cluster[demands[n][1]],
                title_zh=f"跨集群面料对接会{n // 10 + 1}",
                title_en=f"Cross-cluster fabric docking {n // 10 + 1}",
                theme=PARTNER_THEME,
                place="会展中心",
                starts_on=day,
                ends_on=day,
                status=DockingEvent.Status.CLOSED,
            )
            at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
            slot = DockingSlot.objects.create(
                event=event, starts_at=at, ends_at=at + datetime.timedelta(hours=4)
            )
            regs: dict[int, Registration] = {}

            def reg(firm, event=event, regs=regs):
                if firm not in regs:
                    regs[firm] = Registration.objects.create(event=event, enterprise_id=firm)
                return regs[firm]

            for _d, buyer in demands[n : n + 10]:
                own = buyer_cluster[buyer]
                for other in rng.sample([c for c in clusters if c != own], PARTNERS_PER_BUYER):
                    firm = (
                        ClusterMembership.objects.filter(cluster_id=other, status="approved")
                        .exclude(enterprise_id__in=buyers)
                        .values_list("enterprise_id", flat=True)
                        .first()
                    )
                    if firm is None:
                        continue
                    made += 1
                    Meeting.objects.create(
                        event=event,
                        first=reg(buyer),
                        second=reg(firm),
                        slot=slot,
                        table=made,
                        score=1.0,
                        status=Meeting.Status.ACCEPTED,
                    )
    return made


def measure(args, meta: dict) -> dict:
    """Matching, the naive baseline and posting on a prepared database."""
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from weft.accounts.models import Membership, Organisation, User
    from weft.market import firm_index, matching, services, vocabulary
    from weft.market.models import Demand, SupplierCapability

    today = timezone.localdate()
    stages = [s for s in STAGE_UNITS if s in vocabulary.CATEGORIES]
    info = {k: meta[k] for k in ("backend", "firms", "offers", "open_offers", "capabilities")}
    info["prepared_s"] = meta.get("firms_s", 0) + meta.get("offers_s", 0)
    demands = list(Demand.objects.filter(pk__in=meta["demand_ids"]).order_by("pk"))
    planted = {int(k): {("offer", pk) for pk in v} for k, v in meta["planted"].items()}

    info["partner_meetings_planted"] = plant_partners(meta, args.seed)
    info["load_average_before"] = round(os.getloadavg()[0], 1)
    # The firms' in-memory index is loaded once per process (a server does it at its first
    # queries); timed apart, so the per-demand times are the steady state.
    t = time.perf_counter()
    info["firm_index_rows"] = firm_index.warm()
    info["firm_index_load_s"] = round(time.perf_counter() - t, 2)
    matching.matches_for_demand(demands[0])
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        for d in demands[: args.profile]:
            matching.matches_for_demand(d, limit=20)
        prof.disable()
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    times, recalls, sizes = [], [], []
    partner_hits = 0
    results = {}
    for d in demands:
        t = time.perf_counter()
        got = matching.matches_for_demand(d, limit=20)
        times.append((time.perf_counter() - t) * 1000)
        results[d.pk] = [m.key for m in got]
        partner_hits += sum(m.parts["cluster"] == matching.CLUSTER_PARTNER for m in got)
        recalls.append(len(set(results[d.pk][:10]) & planted[d.pk]) / 10)
    firm_rows = 0
    for d in demands[:5]:
        sizes.append(matching.candidate_offers(d).count())
        firm_rows += SupplierCapability.objects.filter(stage=d.stage, category=d.category).count()
    info["partner_cluster_results"] = partner_hits
    info["firms_in_results"] = sum(k[0] == "firm" for r in results.values() for k in r)
    info["capability_rows_per_category"] = firm_rows // 5
    # The naive scan-and-score of all open offers, on a subset of the same demands.
    naive_times, agree = [], []
    for d in demands[: args.naive]:
        t = time.perf_counter()
        naive = matching.naive_matches(d, limit=20)
        naive_times.append((time.perf_counter() - t) * 1000)
        agree.append([key for _s, key in naive] == results[d.pk])
    indexed_subset = times[: args.naive]

    def pct(values, p):
        values = sorted(values)
        return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]

    info.update(
        match_p50_ms=round(pct(times, 50), 2),
        match_p95_ms=round(pct(times, 95), 2),
        match_mean_ms=round(statistics.mean(times), 2),
        naive_p50_ms=round(pct(naive_times, 50), 1),
        naive_p95_ms=round(pct(naive_times, 95), 1),
        naive_mean_ms=round(statistics.mean(naive_times), 1),
        ratio_mean=round(statistics.mean(naive_times) / statistics.mean(indexed_subset), 1),
        recall_at_10=round(statistics.mean(recalls), 4),
        naive_agreement=f"{sum(agree)}/{len(agree)}",
        candidates_after_filters=sizes,
        demands=len(demands),
    )

    info["load_average"] = round(os.getloadavg()[0], 1)
    log(f"{connection.vendor}: matching measured: {json.dumps(info, default=str)}")

    # Posting throughput through the services, one post at a time. Each post differs in quantity
    # by 12 %, more than the duplicate check's 10 %, so none is refused as a repeat.
    from django.test.utils import override_settings

    # A fresh firm each run, so a reused database never sees the same posts twice.
    taken = set(
        Organisation.objects.filter(enterprise_id__in=meta["spare_firms"]).values_list(
            "enterprise_id", flat=True
        )
    )
    poster_firm = next(f for f in meta["spare_firms"] if f not in taken)
    org = Organisation.objects.create(
        kind="enterprise", name_zh="演示发布企业", enterprise_id=poster_firm
    )
    poster = User.objects.create(username=f"bench_poster_{poster_firm}")
    Membership.objects.create(user=poster, organisation=org, role="owner")
    with override_settings(WEFT_MARKET_POSTS_PER_DAY=10**9):
        t = time.perf_counter()
        for i in range(args.posts):
            stage = stages[i % len(stages)]
            category = vocabulary.CATEGORIES[stage][i % len(vocabulary.CATEGORIES[stage])][0]
            services.post_demand(
                user=poster,
                enterprise_id=poster_firm,
                publish=True,
                data={
                    "title": f"第{i}批 {vocabulary.category_label(category)}",
                    "stage": stage,
                    "category": category,
                    "quantity": int(1000 * 1.12**i),
                    "unit": STAGE_UNITS[stage],
                    "target_price": PRICES[STAGE_UNITS[stage]],
                    "needed_by": today + datetime.timedelta(days=60),
                    "quote_deadline": timezone.now() + datetime.timedelta(days=10),
                    "delivery_address": "广东省东莞市虎门镇连升路1号",
                },
            )
        info["demand_posts_per_s"] = round(args.posts / (time.perf_counter() - t), 1)
        t = time.perf_counter()
        for i in range(args.posts):
            stage = stages[i % len(stages)]
            cats = [c for c, _zh, _en in vocabulary.CATEGORIES[stage]]
            services.post_offer(
                user=poster,
                enterprise_id=poster_firm,
                data={
                    "title": f"空闲产能{i}",
                    "stage": stage,
                    "categories": cats[:1],
                    "quantity": 1000,
                    "unit": STAGE_UNITS[stage],
                    "period": "week",
                    "available_from": today + datetime.timedelta(days=i % 30),
                    "available_until": today + datetime.timedelta(days=90 + i),
                    "price": PRICES[STAGE_UNITS[stage]],
                },
            )
        info["offer_posts_per_s"] = round(args.posts / (time.perf_counter() - t), 1)
    return info


# --- the driver --------------------------------------------------------------------------------


def machine() -> dict:
    from directory import machine as directory_machine

    return directory_machine()


def run_backend(backend: str, args) -> dict | None:
    """Prepare (fresh database, migrate, generate) unless --reuse; measure unless --prepare-only."""
    from postgres import Postgres

    env = {k: v for k, v in os.environ.items() if not k.startswith("WEFT_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        WEFT_DEBUG="false",
        WEFT_CACHE="locmem",
        WEFT_LOG_LEVEL="ERROR",
        WEFT_TASKS_BACKEND="database",
        WEFT_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    pg = None
    VAR.mkdir(parents=True, exist_ok=True)
    tag = f"market-{args.firms}-{args.offers}-{args.demands}-s{args.seed}"
    meta_path = VAR / f"{tag}-{backend}.json"
    try:
        if backend == "sqlite":
            path = VAR / f"{tag}.sqlite3"
            env["DATABASE_URL"] = f"sqlite:///{path}"
            if not args.reuse:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
        else:
            pg = Postgres(VAR / f"{tag}-pg", args.pg_port)
            if not args.reuse:
                pg.init()
            elif not pg.exists():
                sys.exit(f"{backend}: nothing prepared under {pg.dir}; run with --prepare-only")
            pg.start()
            if not args.reuse:
                pg.bulk_load()
                pg.recreate_database("weft_market")
            env["DATABASE_URL"] = pg.url("weft_market")
        # Also on --reuse: a database prepared before a new migration gets it (seconds).
        log(f"{backend}: migrate")
        subprocess.run(
            [PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        if not args.reuse and pg is not None and args.postgres_from_sqlite:
            # The very rows SQLite holds, copied: generating a million firms twice takes longer
            # than the benchmark on a small machine.
            source = VAR / f"{tag}.sqlite3"
            gin = pg.drop_gin_indexes("weft_market", "registry_enterprise")
            copy = [PY, str(HERE / "copy_from_sqlite.py"), "--all-tables", str(source)]
            subprocess.run(copy, cwd=ROOT, env=env, check=True)
            pg.create_indexes("weft_market", gin)
            pg.psql("weft_market", "ANALYZE")
            pg.durable()
            meta = json.loads((VAR / f"{tag}-sqlite.json").read_text())
            meta_path.write_text(json.dumps(meta | {"backend": "postgresql"}, default=str))
        elif not args.reuse:
            cmd = [PY, __file__, "--worker", "generate", "--meta", str(meta_path), *sys.argv[1:]]
            subprocess.run(cmd, cwd=ROOT, env=env, check=True)
            if pg is not None:
                pg.durable()
        elif not meta_path.exists():
            sys.exit(f"{backend}: {meta_path.name} missing; run with --prepare-only first")
        if args.prepare_only:
            return None
        cmd = [PY, __file__, "--worker", "measure", "--meta", str(meta_path), *sys.argv[1:]]
        out = subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True)
        info = json.loads(out.stdout.strip().splitlines()[-1])
        if pg is not None:
            info["server"] = "PostgreSQL " + pg.version()
        return info
    finally:
        if pg is not None:
            pg.stop()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--firms", type=int, default=1_000_000)
    p.add_argument("--offers", type=int, default=100_000)
    p.add_argument("--demands", type=int, default=200, help="query demands (ground truth)")
    p.add_argument("--naive", type=int, default=20, help="of which scored naively too")
    p.add_argument("--posts", type=int, default=200, help="posts of each kind, for throughput")
    p.add_argument("--backends", default="sqlite,postgresql")
    p.add_argument("--pg-port", type=int, default=55436)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--output", type=Path, default=RESULTS / "market-latest.json")
    p.add_argument(
        "--prepare-only", action="store_true", help="generate the databases, measure nothing"
    )
    p.add_argument("--reuse", action="store_true", help="measure on databases prepared before")
    p.add_argument(
        "--postgres-from-sqlite",
        action="store_true",
        help="prepare PostgreSQL by copying the SQLite database prepared before (same rows)",
    )
    p.add_argument("--profile", type=int, default=0, help="cProfile this many top-20 queries")
    p.add_argument("--worker", choices=["generate", "measure"], help=argparse.SUPPRESS)
    p.add_argument("--meta", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        sys.path.insert(0, str(ROOT))
        if args.worker == "generate":
            meta = generate(args)
            args.meta.write_text(json.dumps(meta, default=str))
        else:
            meta = json.loads(args.meta.read_text())
            print(json.dumps(measure(args, meta), default=str))
        return
    report = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "args": {k: str(v) for k, v in vars(args).items() if k != "worker"},
        "backends": [],
    }
    RESULTS.mkdir(exist_ok=True)
    for backend in args.backends.split(","):
        info = run_backend(backend.strip(), args)
        if info is None:
            log(f"{backend}: prepared")
            continue
        report["backends"].append(info)
        # Saved after each backend, so a long run keeps what it has measured.
        args.output.write_text(json.dumps(report, ensure_ascii=False, indent=2))
        log(json.dumps(report["backends"][-1], ensure_ascii=False))
    if args.prepare_only:
        return
    m = report["machine"]
    print(f"\nMarketplace matching — {report['date']}")
    print(
        f"Machine: {m.get('cpu')} | {m.get('cores')} cores | {m.get('ram_gib')} GiB | {m.get('os')}"
    )
    print(
        f"Data: {args.firms:,} firms, {args.offers:,} capacity offers, {args.demands} query "
        f"demands (10 planted right suppliers + 5 decoys each), {args.naive} also scored naively\n"
    )
    head = (
        "backend",
        "open offers",
        "top-20 p50 ms",
        "top-20 p95 ms",
        "naive p95 ms",
        "naive/indexed",
        "recall@10",
        "naive agrees",
        "demand posts/s",
        "offer posts/s",
        "firms ranked in results",
        "partner-cluster results",
        "firm index load s",
        "load avg",
    )
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    for b in report["backends"]:
        print(
            " | ".join(
                str(x)
                for x in (
                    b.get("server", b["backend"]),
                    f"{b['open_offers']:,}",
                    b["match_p50_ms"],
                    b["match_p95_ms"],
                    b["naive_p95_ms"],
                    f"{b['ratio_mean']}×",
                    b["recall_at_10"],
                    b["naive_agreement"],
                    b["demand_posts_per_s"],
                    b["offer_posts_per_s"],
                    b["firms_in_results"],
                    b.get("partner_cluster_results", "—"),
                    f"{b['firm_index_load_s']} ({b['firm_index_rows']:,} rows)",
                    f"{b['load_average_before']}–{b['load_average']}",
                )
            )
        )
    print(f"\nGoals: top-20 p95 <= {P95_GOAL_MS} ms; recall@10 >= {RECALL_GOAL}.")


if __name__ == "__main__":
    main()
