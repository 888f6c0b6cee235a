#!/usr/bin/env python3
"""Benchmark of cluster statistics on SQLite and PostgreSQL, with DuckDB as the yardstick.

    .venv/bin/python bench/stats.py --prepare-only      # generate and load 50,000 firms × 36 × 10
    .venv/bin/python bench/stats.py --reuse             # measure on the prepared databases
    .venv/bin/python bench/stats.py --firms 2000 --requests 60       # a quick check, both steps
    .venv/bin/python bench/stats.py --backends sqlite --pg-port 55434

Data: firms spread over the 55 real clusters (by size weight), each with a province, a chain
stage and a GB/T 4754 division taken from its cluster; 36 monthly figures for 10 indicators per
firm (firms × 36 × 10 values; 18 million at full size) plus the three calendar years those months
cover (the yearly figures the dashboards read, the sums of the months). Generated with a fixed
seed, so every backend and DuckDB get exactly the same rows.

Prepare (per backend, in a child process with its own DATABASE_URL): a fresh database (SQLite
file in var/bench/, or a throwaway PostgreSQL 15 cluster on 127.0.0.1 in var/bench/), migrate,
bulk load (COPY on PostgreSQL, executemany on SQLite, secondary indexes built after the load),
planner statistics. `--reuse --prepare-only` only migrates a prepared database.

Measure (`--reuse`, or right after preparing):
  - a full recomputation of all aggregates (`weft.stats.aggregation.recompute`);
  - the cluster dashboard's API calls (series of a monthly indicator, the cluster's derived
    indicators for the latest year, its warnings) for random clusters, and the national
    dashboard's (the national monthly series and the national page with its ranking and province
    totals), each request through Django's full stack in-process (no HTTP server), p50/p95.
In this process: DuckDB loads the same rows (from memory) and runs the same aggregation (seven
GROUP BYs: nation, cluster, province, division, stage, and for the years cluster × stage and
cluster × division); the
ratio is the backend's recompute time over DuckDB's. Per level, the rows, coverage and totals of
the backend and of DuckDB are compared ("same as DuckDB").

Goals (from the issue): cluster dashboard p95 ≤ 150 ms, national p95 ≤ 300 ms, full recompute
≤ 60 s. Results: a table on stdout (with the load average before and after each backend's
measurement) and bench/results/stats-<firms>-<backends>.json.
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

VAR = ROOT / "var" / "bench"
RESULTS = HERE / "results"
PG_PORT = 55434
INDICATORS = (
    "output_value", "revenue", "profit", "export_value", "employees",
    "rd_spending", "ecommerce_sales", "energy_use", "water_use", "wastewater",
)  # fmt: skip
GOALS = {"cluster_p95_ms": 150, "national_p95_ms": 300, "recompute_s": 60}


def log(message: str) -> None:
    print(
        f"[{datetime.datetime.now(datetime.UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True
    )


# --- the data, the same for every backend ------------------------------------------------------


def months(n: int) -> list[tuple[int, int]]:
    """The last n complete months before 2026-01 (so whole years 2023–2025 at 36)."""
    out, y, m = [], 2025, 12
    for _i in range(n):
        out.append((y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return list(reversed(out))


def firm_plan(clusters: list[dict], n: int, seed: int) -> dict:
    """Per firm: its cluster, province, stage and division (indices into the cluster's lists)."""
    rng = np.random.default_rng(seed)
    weights = np.array([max(c["size_weight"], 1) for c in clusters], dtype=float)
    cluster_idx = rng.choice(len(clusters), size=n, p=weights / weights.sum())
    stage_pick = rng.integers(0, 1 << 30, size=n)
    division_pick = rng.integers(0, 1 << 30, size=n)
    stage, division = [], []
    for i, c in enumerate(cluster_idx):
        stages = clusters[c]["stages"] or ["garment_making"]
        divisions = clusters[c]["divisions"] or ["18"]
        stage.append(stages[stage_pick[i] % len(stages)])
        division.append(divisions[division_pick[i] % len(divisions)])
    return {"cluster": cluster_idx, "stage": stage, "division": division}


def value_arrays(n_firms: int, n_months: int, seed: int):
    """Monthly values, shape (firms, months, indicators), two decimals, plus yearly sums."""
    rng = np.random.default_rng(seed + 1)
    size = rng.lognormal(mean=15.0, sigma=1.0, size=n_firms)  # yearly output, ~3 million yuan
    trend = 1 + np.linspace(-0.05, 0.05, n_months)
    factors = np.array([1, 0.9, 0.07, 0.2, 1 / 300_000 * 12, 0.01, 0.15, 1e-5, 3e-4, 2e-4])
    base = size[:, None, None] / 12 * trend[None, :, None] * factors[None, None, :]
    noise = rng.uniform(0.9, 1.1, size=base.shape)
    monthly = np.round(base * noise, 2)
    monthly[:, :, 4] = np.maximum(1, np.round(monthly[:, :, 4]))  # employees: whole persons
    return monthly


# --- a child process per backend ---------------------------------------------------------------


def value_block(monthly, lo, hi, firm_ids, month_ids, year_ids, indicator_ids):
    """Columns (enterprise, indicator, period, value) of firms lo..hi: their monthly figures, then
    the yearly sums of the months (rounded to the cent, as a firm would report them)."""
    block = monthly[lo:hi]  # firms × months × indicators
    f, m, k = block.shape
    years = sorted(year_ids)
    year_of = np.array([month_ids[i][0] for i in range(m)])
    yearly = np.stack([block[:, year_of == y, :].sum(axis=1) for y in years], axis=1).round(2)
    ids = np.asarray(firm_ids[lo:hi])
    ind = np.asarray(indicator_ids)
    enterprise = np.concatenate([np.repeat(ids, m * k), np.repeat(ids, len(years) * k)])
    indicator = np.concatenate([np.tile(ind, f * m), np.tile(ind, f * len(years))])
    period = np.concatenate(
        [
            np.tile(np.repeat([pk for _y, pk in month_ids], k), f),
            np.tile(np.repeat([year_ids[y] for y in years], k), f),
        ]
    )
    return enterprise, indicator, period, np.concatenate([block.reshape(-1), yearly.reshape(-1)])


def load_values(connection, table, columns, now) -> None:
    """Bulk load: COPY on PostgreSQL (foreign-key triggers off, the data is consistent by
    construction), executemany in one transaction on SQLite (no sync, no foreign-key checks,
    during the load only). Secondary indexes are dropped first and built once at the end."""
    chunk = 2000
    n = len(columns["firm_ids"])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname "
                "NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [table, table],
            )
            indexes = cursor.fetchall()
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
            indexes = cursor.fetchall()
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("PRAGMA synchronous = OFF")
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    import pandas as pd

    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            sql = f"COPY {table} (enterprise_id, indicator_id, period_id, value, revision, updated_at) FROM STDIN"
            with raw.copy(sql) as copy:
                for lo in range(0, n, chunk):
                    e, i, p, v = value_block(
                        columns["monthly"], lo, min(n, lo + chunk), **columns["ids"]
                    )
                    frame = pd.DataFrame({"e": e, "i": i, "p": p, "v": v})
                    frame["r"] = 1
                    frame["u"] = now
                    copy.write(
                        frame.to_csv(sep="\t", header=False, index=False, float_format="%.2f")
                    )
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            raw.execute("BEGIN")
            sql = f"INSERT INTO {table} (enterprise_id, indicator_id, period_id, value, revision, updated_at) VALUES (?, ?, ?, ?, 1, '{now}')"  # noqa: S608
            for lo in range(0, n, chunk):
                e, i, p, v = value_block(
                    columns["monthly"], lo, min(n, lo + chunk), **columns["ids"]
                )
                raw.executemany(
                    sql, zip(e.tolist(), i.tolist(), p.tolist(), v.round(2).tolist(), strict=True)
                )
            raw.execute("COMMIT")
        log(f"{connection.vendor}: building the indexes of {table}")
        for _name, definition in indexes:
            cursor.execute(definition)
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("ANALYZE")
        else:
            # As autovacuum would leave it: planner statistics and the visibility map that lets
            # index-only scans skip the table.
            cursor.execute("VACUUM ANALYZE")


def prepare(args) -> dict:
    """A fresh database filled with the firms and their figures (no aggregates yet)."""
    from django.db import connection

    from weft.registry.models import (
        ChainStage,
        Cluster,
        ClusterMembership,
        Enterprise,
        IndustryCode,
    )
    from weft.registry.taxonomy import load_clusters
    from weft.stats.models import Indicator, Value
    from weft.stats.services import period_for

    report: dict = {}
    load_clusters()
    clusters = list(Cluster.objects.order_by("pk"))
    info = [
        {
            "size_weight": c.size_weight,
            "stages": sorted(c.stages.values_list("code", flat=True)),
            "divisions": sorted(c.industry_divisions or []),
        }
        for c in clusters
    ]
    plan = firm_plan(info, args.firms, args.seed)
    began = time.perf_counter()
    Enterprise.objects.bulk_create(
        [
            Enterprise(
                name_zh=f"基准企业{i}",
                province=clusters[plan["cluster"][i]].province,
                is_demo=True,
                source=Enterprise.Source.DEMO,
            )
            for i in range(args.firms)
        ],
        batch_size=5000,
    )
    firm_ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    stage_ids = dict(ChainStage.objects.values_list("code", "pk"))
    code_ids = dict(IndustryCode.objects.filter(level="division").values_list("code", "pk"))
    ClusterMembership.objects.bulk_create(
        [
            ClusterMembership(
                enterprise_id=firm_ids[i],
                cluster_id=clusters[plan["cluster"][i]].pk,
                status=ClusterMembership.Status.APPROVED,
            )
            for i in range(args.firms)
        ],
        batch_size=5000,
    )
    Enterprise.stages.through.objects.bulk_create(
        [
            Enterprise.stages.through(
                enterprise_id=firm_ids[i], chainstage_id=stage_ids[plan["stage"][i]]
            )
            for i in range(args.firms)
        ],
        batch_size=5000,
    )
    Enterprise.industry_codes.through.objects.bulk_create(
        [
            Enterprise.industry_codes.through(
                enterprise_id=firm_ids[i], industrycode_id=code_ids[plan["division"][i]]
            )
            for i in range(args.firms)
            if plan["division"][i] in code_ids
        ],
        batch_size=5000,
    )
    report["firms_seconds"] = round(time.perf_counter() - began, 1)

    span = months(args.months)
    month_ids = [(y, period_for("month", y, m).pk) for y, m in span]
    year_ids = {y: period_for("year", y).pk for y in sorted({y for y, _m in span})}
    indicator_ids = [Indicator.objects.get(code=c).pk for c in INDICATORS[: args.indicators]]
    monthly = value_arrays(args.firms, args.months, args.seed)[:, :, : args.indicators]

    log(f"{connection.vendor}: loading {monthly.size:,} monthly values and their yearly sums")
    began = time.perf_counter()
    now = datetime.datetime.now(datetime.UTC).isoformat()
    ids = {
        "firm_ids": firm_ids,
        "month_ids": month_ids,
        "year_ids": year_ids,
        "indicator_ids": indicator_ids,
    }
    load_values(
        connection,
        Value._meta.db_table,
        {"firm_ids": firm_ids, "monthly": monthly, "ids": ids},
        now,
    )
    report["values"] = Value.objects.count()
    report["load_seconds"] = round(time.perf_counter() - began, 1)
    log(f"{connection.vendor}: {report['values']:,} values loaded in {report['load_seconds']} s")
    return report


def measure(args) -> dict:
    """The full recomputation, then the dashboards' API calls, on a prepared database."""
    from django.db import connection
    from django.db.models import Count, Sum
    from django.test import Client

    from weft.registry.models import Cluster
    from weft.stats import aggregation
    from weft.stats.models import Aggregate, Period, PeriodKind, Value

    report: dict = {"load_before": round(os.getloadavg()[0], 1)}
    report["values"] = Value.objects.count()
    began = time.perf_counter()
    report["aggregates"] = aggregation.recompute()
    report["recompute_seconds"] = round(time.perf_counter() - began, 2)
    log(
        f"{connection.vendor}: recompute {report['recompute_seconds']} s, {report['aggregates']:,} aggregates"
    )
    # A fingerprint of the result to hold against DuckDB's: per level, rows, firms and total.
    report["check"] = {
        level: [rows, int(firms), float(total)]
        for level, rows, firms, total in Aggregate.objects.values_list("level")
        .annotate(n=Count("pk"), f=Sum("firms"), t=Sum("total"))
        .order_by("level")
    }

    clusters = list(Cluster.objects.order_by("pk").values_list("pk", flat=True))
    latest = Period.objects.filter(kind=PeriodKind.YEAR).order_by("-year").first().year
    client = Client()
    rng = np.random.default_rng(args.seed + 2)

    def timed(urls):
        out = []
        for url in urls:
            t = time.perf_counter()
            response = client.get(url)
            out.append((time.perf_counter() - t) * 1000)
            if response.status_code != 200:
                raise SystemExit(
                    f"{url} answered {response.status_code}: {response.content[:300]!r}"
                )
        return out

    cluster_urls, national_urls = [], []
    for _i in range(args.requests):
        c = clusters[int(rng.integers(0, len(clusters)))]
        cluster_urls += [
            f"/api/v1/stats/series?indicator=revenue&level=cluster&id={c}&period_kind=month",
            f"/api/v1/clusters/{c}/indicators?year={latest}",
            f"/api/v1/clusters/{c}/warnings",
        ]
        national_urls += [
            "/api/v1/stats/series?indicator=output_value&level=nation&id=CN&period_kind=month",
            f"/stats/?year={latest}&indicator={INDICATORS[int(rng.integers(0, 3))]}",
        ]
    timed(cluster_urls[:9] + national_urls[:4])  # warm-up
    for name, urls in (("cluster", cluster_urls), ("national", national_urls)):
        ms = sorted(timed(urls))
        report[f"{name}_requests"] = len(ms)
        report[f"{name}_p50_ms"] = round(statistics.median(ms), 1)
        report[f"{name}_p95_ms"] = round(ms[int(0.95 * (len(ms) - 1))], 1)
        log(
            f"{connection.vendor} {name}: p50 {report[f'{name}_p50_ms']} ms, p95 {report[f'{name}_p95_ms']} ms"
        )
    report["load_after"] = round(os.getloadavg()[0], 1)
    return report


def child(args) -> None:
    import django

    django.setup()
    report = prepare(args) if args.child == "prepare" else measure(args)
    print(json.dumps(report))


# --- DuckDB over the same rows -----------------------------------------------------------------


def duckdb_run(args, clusters_info, cluster_meta) -> dict:
    import duckdb
    import pandas as pd

    plan = firm_plan(clusters_info, args.firms, args.seed)
    monthly = value_arrays(args.firms, args.months, args.seed)[:, :, : args.indicators]
    span = months(args.months)
    years = sorted({y for y, _m in span})
    year_of = np.array([y for y, _m in span])
    f, m, k = monthly.shape
    firm = np.repeat(np.arange(f), m * k)
    period = np.tile(np.repeat(np.arange(m), k), f)
    indicator = np.tile(np.arange(k), f * m)
    yearly = np.stack(
        [monthly[:, year_of == y, :].sum(axis=1) for y in years], axis=1
    )  # f × years × k
    yf, yp, yk = yearly.shape
    values = pd.DataFrame(
        {
            "enterprise_id": np.concatenate([firm, np.repeat(np.arange(yf), yp * yk)]),
            "indicator_id": np.concatenate([indicator, np.tile(np.arange(yk), yf * yp)]),
            "period_id": np.concatenate([period, 1000 + np.tile(np.repeat(np.arange(yp), yk), yf)]),
            "value": np.concatenate([monthly.reshape(-1), yearly.reshape(-1)]).round(2),
        }
    )
    firms = pd.DataFrame(
        {
            "id": np.arange(f),
            "province": [cluster_meta[c]["province"] for c in plan["cluster"]],
            "cluster_id": plan["cluster"],
            "division": plan["division"],
            "stage": plan["stage"],
        }
    )
    con = duckdb.connect()
    con.register("values_df", values)
    con.register("firms_df", firms)
    began = time.perf_counter()
    con.execute(
        "CREATE TABLE v AS SELECT enterprise_id, indicator_id, period_id, CAST(value AS DECIMAL(20, 4)) AS value FROM values_df"
    )
    con.execute("CREATE TABLE e AS SELECT * FROM firms_df")
    load_seconds = time.perf_counter() - began
    queries = [
        "SELECT indicator_id, period_id, 'nation', 'CN', SUM(value), COUNT(*) FROM v GROUP BY 1, 2",
        "SELECT v.indicator_id, v.period_id, 'cluster', CAST(e.cluster_id AS VARCHAR), SUM(v.value), COUNT(*) FROM v JOIN e ON e.id = v.enterprise_id GROUP BY 1, 2, 4",
        "SELECT v.indicator_id, v.period_id, 'province', e.province, SUM(v.value), COUNT(*) FROM v JOIN e ON e.id = v.enterprise_id GROUP BY 1, 2, 4",
        "SELECT v.indicator_id, v.period_id, 'industry', e.division, SUM(v.value), COUNT(*) FROM v JOIN e ON e.id = v.enterprise_id GROUP BY 1, 2, 4",
        "SELECT v.indicator_id, v.period_id, 'stage', e.stage, SUM(v.value), COUNT(*) FROM v JOIN e ON e.id = v.enterprise_id GROUP BY 1, 2, 4",
        "SELECT v.indicator_id, v.period_id, 'cstage', CAST(e.cluster_id AS VARCHAR) || ':' || e.stage, SUM(v.value), COUNT(*) FROM v JOIN e ON e.id = v.enterprise_id WHERE v.period_id >= 1000 GROUP BY 1, 2, 4",
        "SELECT v.indicator_id, v.period_id, 'cind', CAST(e.cluster_id AS VARCHAR) || ':' || e.division, SUM(v.value), COUNT(*) FROM v JOIN e ON e.id = v.enterprise_id WHERE v.period_id >= 1000 GROUP BY 1, 2, 4",
    ]
    con.execute(
        "CREATE TABLE agg (indicator_id INT, period_id INT, level VARCHAR, key VARCHAR, total DECIMAL(38, 4), firms BIGINT)"
    )
    began = time.perf_counter()
    for q in queries:
        con.execute(f"INSERT INTO agg {q}")
    seconds = time.perf_counter() - began
    rows = con.execute("SELECT COUNT(*) FROM agg").fetchone()[0]
    check = {
        level: [n, int(f), float(t)]
        for level, n, f, t in con.execute(
            "SELECT level, COUNT(*), SUM(firms), SUM(total) FROM agg GROUP BY level ORDER BY level"
        ).fetchall()
    }
    return {
        "check": check,
        "values": len(values),
        "aggregates": rows,
        "seconds": round(seconds, 3),
        "load_seconds": round(load_seconds, 2),
        "version": duckdb.__version__,
    }


# --- main --------------------------------------------------------------------------------------


def run_child(backend: str, phase: str, args, url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEFT_")}
    env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings", WEFT_DEBUG="false",
               WEFT_CACHE="locmem", WEFT_THROTTLE_ANON="100000000/min", WEFT_THROTTLE_USER="100000000/min")  # fmt: skip
    # Also on reuse, so a prepared database gets the migrations made since (--reuse
    # --prepare-only does only that, outside the measurement).
    log(f"{backend}: migrate")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    if phase == "migrate":
        return {}
    cmd = [sys.executable, __file__, "--child", phase, "--firms", str(args.firms), "--months", str(args.months),
           "--indicators", str(args.indicators), "--requests", str(args.requests), "--seed", str(args.seed)]  # fmt: skip
    out = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def prepared_file(backend: str, args) -> Path:
    return VAR / f"stats-{backend}-{args.firms}x{args.months}x{args.indicators}-s{args.seed}.json"


def run_backend(name: str, args) -> dict:
    """Prepare (unless --reuse), then measure (unless --prepare-only), one backend."""
    from postgres import Postgres

    marker = prepared_file(name, args)
    if args.reuse:
        if not marker.exists():
            raise SystemExit(
                f"{name}: nothing prepared at this size; run with --prepare-only first"
            )
        result = json.loads(marker.read_text())
    else:
        marker.unlink(missing_ok=True)
    if name == "sqlite":
        path = VAR / f"stats-{args.firms}.sqlite3"
        if not args.reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            result = run_child(name, "prepare", args, f"sqlite:///{path}")
            marker.write_text(json.dumps(result))
        if args.reuse and args.prepare_only:
            run_child(name, "migrate", args, f"sqlite:///{path}")
        elif not args.prepare_only:
            result |= run_child(name, "measure", args, f"sqlite:///{path}")
    elif name == "postgresql":
        pg = Postgres(VAR / f"stats-pg-{args.firms}", args.pg_port)
        if not args.reuse:
            pg.init()
        pg.start()
        try:
            if not args.reuse:
                pg.recreate_database("weft_stats")
                pg.bulk_load()
                result = run_child(name, "prepare", args, pg.url("weft_stats"))
                pg.durable()
                marker.write_text(json.dumps(result))
            if args.reuse and args.prepare_only:
                run_child(name, "migrate", args, pg.url("weft_stats"))
            elif not args.prepare_only:
                result |= run_child(name, "measure", args, pg.url("weft_stats"))
        finally:
            pg.stop()
    else:
        raise SystemExit(f"unknown backend {name}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--firms", type=int, default=50_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--indicators", type=int, default=10, choices=range(1, 11))
    parser.add_argument("--requests", type=int, default=100, help="Dashboards drawn per scenario.")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--prepare-only", action="store_true", help="Generate and load the data, measure nothing."
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Measure on the data a --prepare-only run left (with --prepare-only: migrate it only).",
    )
    parser.add_argument(
        "--pg-port",
        type=int,
        default=int(os.environ.get("WEFT_PG_PORT", PG_PORT)),
        help="Port of the throwaway PostgreSQL server (default: $WEFT_PG_PORT or 55434).",
    )
    parser.add_argument("--child", choices=("prepare", "measure"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    from directory import machine

    VAR.mkdir(parents=True, exist_ok=True)
    report = {"machine": machine(), "settings": vars(args), "backends": {}}
    for name in args.backends.split(","):
        report["backends"][name] = run_backend(name, args)
    if args.prepare_only:
        log("prepared; measure with --reuse")
        return
    clusters = json.loads((ROOT / "weft/registry/data/clusters.json").read_text(encoding="utf-8"))
    # The child orders clusters by primary key, i.e. the file's order (load_clusters keeps it).
    info = [
        {
            "size_weight": c["size_weight"],
            "stages": sorted(c["stages"]),
            "divisions": sorted(c["industry_divisions"]),
        }
        for c in clusters
    ]
    log("duckdb: the same aggregation over the same rows")
    report["duckdb"] = duckdb_run(args, info, clusters)
    for r in report["backends"].values():
        r["same_as_duckdb"] = same(r["check"], report["duckdb"]["check"])
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"stats-{args.firms}-{args.backends.replace(',', '-')}.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False)
    )
    print(markdown(report))


def same(db: dict, duck: dict) -> bool:
    """Same rows and coverage per level, totals equal to a cent in a billion."""
    return db.keys() == duck.keys() and all(
        db[k][:2] == duck[k][:2] and abs(db[k][2] - duck[k][2]) <= 1e-9 * abs(duck[k][2]) + 0.01
        for k in db
    )


def markdown(report: dict) -> str:
    m, s, d = report["machine"], report["settings"], report["duckdb"]
    out = [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, {m['os']}; Python {m['python']}, "
        f"SQLite {m['sqlite']}, {m['postgresql']}, DuckDB {d['version']}; {m['date']}.",
        f"Data: {s['firms']:,} firms × {s['months']} months × {s['indicators']} indicators, plus yearly sums "
        f"= {d['values']:,} values; {s['requests']} dashboards drawn per scenario.",
        "",
        "| backend | values | load s | aggregates (DB / DuckDB) | same as DuckDB | recompute s (goal ≤ 60) | DuckDB s | recompute / DuckDB | cluster p50 / p95 ms (goal ≤ 150) | national p50 / p95 ms (goal ≤ 300) | load average before / after |",
        "|---|---:|---:|---:|:-:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in report["backends"].items():
        ratio = r["recompute_seconds"] / d["seconds"] if d["seconds"] else float("nan")
        out.append(
            f"| {name} | {r['values']:,} | {r['load_seconds']} | {r['aggregates']:,} / {d['aggregates']:,} | {'yes' if r['same_as_duckdb'] else 'NO'} | {r['recompute_seconds']} | {d['seconds']} | "
            f"{ratio:.1f}× | {r['cluster_p50_ms']} / {r['cluster_p95_ms']} | {r['national_p50_ms']} / {r['national_p95_ms']} | {r['load_before']} / {r['load_after']} |"
        )
    return "\n".join(out)


if __name__ == "__main__":
    main()
