#!/usr/bin/env python3
"""Voucher redemptions per second on PostgreSQL, with and without the ledger.

    .venv/bin/python bench/vouchers.py                    # 8 clients × 100 redemptions per run
    .venv/bin/python bench/vouchers.py --per-client 25    # quick

A throwaway PostgreSQL 15 cluster (var/bench/pg-vouchers, 127.0.0.1:$WEFT_BENCH_PG_PORT, default
55437; durable settings: fsync and synchronous_commit on) gets the schema and a small world: one
issuer, one testing lab, 8 firms with a voucher each (large enough never to run out). Then four
runs, each with 8 client threads (one database connection each) redeeming pre-accepted orders:

  hot row    all 8 clients against ONE programme (every redemption locks the same row)
  spread     client i against programme i (8 programmes)

each with the real `vouchers.redeem` (permission checks, row locks, ledger transaction with four
entries and balance updates, redemption, audit record) and with the same transaction without
the ledger (same checks, locks, redemption and audit record; no accounts or entries). The ratio
ledger / no-ledger is the price of the books.
"""

import argparse
import datetime
import os
import platform
import sys
import threading
import time
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from postgres import Postgres  # noqa: E402

CLIENTS = 8


def machine() -> str:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} CPUs ({cpu}), {platform.platform()}"


def setup_world(per_client: int):
    """Programmes, firms, vouchers and accepted orders, written directly (setup, not measured)."""
    from weft.accounts.models import Membership, Organisation, User
    from weft.registry.models import Enterprise
    from weft.services import vouchers
    from weft.services.models import Category, Service, ServiceOrder, Voucher, VoucherApplication

    office = Organisation.objects.create(kind="cluster_office", name_zh="基准测试集群办公室")
    issuer = User.objects.create(username="bench-issuer")
    Membership.objects.create(user=issuer, organisation=office, role="admin")
    lab = Organisation.objects.create(kind="service_provider", name_zh="基准检测实验室")
    service = Service.objects.create(
        provider=lab, category=Category.TESTING, title_zh="成分检测", price=Decimal("400.00")
    )
    today = datetime.date.today()

    def programme(name):
        return vouchers.create_programme(
            user=issuer,
            issuer=office,
            data={
                "name_zh": name,
                "budget": Decimal("100000000.00"),
                "subsidy_ratio": Decimal("0.30"),
                "cap_per_firm_year": Decimal("10000000.00"),
                "apply_from": today,
                "apply_until": today + datetime.timedelta(days=30),
            },
        )

    hot = programme("热点计划")
    spread = [programme(f"分散计划{i}") for i in range(CLIENTS)]
    clients = []
    for i in range(CLIENTS):
        ent = Enterprise.objects.create(name_zh=f"基准企业{i}", employees=50)
        firm = Organisation.objects.create(kind="enterprise", name_zh=ent.name_zh, enterprise=ent)
        user = User.objects.create(username=f"bench-firm-{i}")
        Membership.objects.create(user=user, organisation=firm, role="owner")
        mine = {}
        for p in (hot, spread[i]):
            app = vouchers.apply(user=user, programme=p, firm=firm, amount="5000000.00")
            vouchers.decide(user=issuer, application=app, approve=True)
            mine[p.pk] = Voucher.objects.get(application=VoucherApplication.objects.get(pk=app.pk))
        clients.append({"user": user, "firm": firm, "vouchers": mine, "spread": spread[i]})

    def orders_for(firm, n):
        rows = [
            ServiceOrder(
                service=service,
                provider=lab,
                firm=firm,
                status="accepted",
                quote_amount=Decimal("400.00"),
            )
            for _ in range(n)
        ]
        return [o.pk for o in ServiceOrder.objects.bulk_create(rows)]

    return hot, clients, orders_for


def redeem_without_ledger(user, voucher_id, order_id):
    """The same transaction as vouchers.redeem, minus the ledger: balances from a running total."""
    from django.core.exceptions import PermissionDenied
    from django.db import transaction

    from weft.accounts.permissions import can
    from weft.audit.models import AuditRecord
    from weft.audit.services import record_change, snapshot
    from weft.services.ledger import lock
    from weft.services.models import Redemption, ServiceOrder, Voucher, VoucherProgramme

    with transaction.atomic():
        voucher = Voucher.objects.select_related("programme").get(pk=voucher_id)
        if not can(user, "services.view_voucher", voucher) or not can(
            user, "services.redeem_voucher", voucher
        ):
            raise PermissionDenied
        programme = lock(VoucherProgramme.objects.filter(pk=voucher.programme_id))
        voucher = lock(Voucher.objects.filter(pk=voucher_id))
        order = lock(ServiceOrder.objects.filter(pk=order_id).select_related("service"))
        assert order.status == "accepted" and order.firm_id == voucher.firm_id
        assert not Redemption.objects.filter(order=order).exclude(status="reversed").exists()
        subsidy = (programme.subsidy_ratio * order.quote_amount).quantize(
            Decimal("0.01"), ROUND_DOWN
        )
        r = Redemption.objects.create(
            voucher=voucher,
            programme=programme,
            order=order,
            provider_id=order.provider_id,
            order_amount=order.quote_amount,
            subsidy=subsidy,
            created_by=user,
        )
        record_change(actor=user, action=AuditRecord.Action.CREATE, obj=r, after=snapshot(r))


def run(clients, jobs, fn) -> float:
    """jobs[i] = [(voucher_id, order_id), ...] for client i; returns redemptions per second."""
    from django.db import connection

    barrier = threading.Barrier(len(clients) + 1)
    failures = []

    def work(i):
        try:
            user = clients[i]["user"]
            barrier.wait()
            for voucher_id, order_id in jobs[i]:
                fn(user, voucher_id, order_id)
        except Exception as exc:  # reported below; a benchmark with errors is void
            failures.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    barrier.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise SystemExit(f"{len(failures)} clients failed, e.g. {failures[0]}")
    return sum(len(j) for j in jobs) / elapsed


def inner(per_client: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from weft.services import ledger, vouchers

    call_command("migrate", verbosity=0)
    load_before = os.getloadavg()[0]
    hot, clients, orders_for = setup_world(per_client)

    def ledger_redeem(user, voucher_id, order_id):
        vouchers.redeem(user=user, voucher_id=voucher_id, order_id=order_id)

    rows = []
    for scenario in ("hot row (1 programme)", "spread (8 programmes)"):
        rates = {}
        for label, fn in (("ledger", ledger_redeem), ("no ledger", redeem_without_ledger)):
            jobs = []
            for c in clients:
                p = hot if scenario.startswith("hot") else c["spread"]
                v = c["vouchers"][p.pk].pk
                jobs.append([(v, o) for o in orders_for(c["firm"], per_client)])
            rates[label] = run(clients, jobs, fn)
        rows.append((scenario, rates["ledger"], rates["no ledger"]))
    problems = ledger.verify()
    with connection.cursor() as cur:
        cur.execute("SHOW synchronous_commit")
        sync = cur.fetchone()[0]
        cur.execute("SELECT version()")
        version = cur.fetchone()[0].split(",")[0]
    print()
    print(
        f"Voucher redemptions on {version}, {CLIENTS} concurrent clients, {per_client} each per run"
    )
    print(
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC · {machine()} · synchronous_commit={sync}"
    )
    print(f"load average (1 min) before the runs: {load_before:.2f}")
    print()
    print(f"| {'scenario':<24} | {'ledger /s':>10} | {'no ledger /s':>12} | {'ratio':>6} |")
    print(f"|{'-' * 26}|{'-' * 11}:|{'-' * 13}:|{'-' * 7}:|")
    for scenario, with_ledger, without in rows:
        print(
            f"| {scenario:<24} | {with_ledger:>10.0f} | {without:>12.0f} | {with_ledger / without:>6.2f} |"
        )
    print()
    print("ledger check after the runs:", "balanced, no problems" if not problems else problems[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--per-client", type=int, default=100, help="redemptions per client per run"
    )
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.per_client)
        return
    port = int(os.environ.get("WEFT_BENCH_PG_PORT", "55437"))
    pg = Postgres(ROOT / "var" / "bench" / "pg-vouchers", port)
    pg.init()
    pg.start()
    try:
        pg.recreate_database("weft")
        env = {**os.environ, "DATABASE_URL": pg.url("weft"), "WEFT_LOG_LEVEL": "ERROR"}
        import subprocess

        subprocess.run(
            [sys.executable, __file__, "--inner", "--per-client", str(args.per_client)],
            env=env,
            check=True,
            cwd=ROOT,
        )
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
