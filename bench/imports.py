#!/usr/bin/env python3
"""Benchmark of bulk enterprise imports on SQLite and PostgreSQL, and of entity resolution.

    .venv/bin/python bench/imports.py                              # 100,000 rows into 200,000 firms
    .venv/bin/python bench/imports.py --rows 10000 --registry 20000 --backends sqlite
    nice -n 19 .venv/bin/python bench/imports.py --prepare-only    # generate, measure nothing
    .venv/bin/python bench/imports.py --reuse                      # measure on what was prepared

For each backend: a fresh database in var/bench/ (SQLite file, or a throwaway PostgreSQL 15 cluster
on 127.0.0.1), migrated and filled with `generate_demo --enterprises REGISTRY`. A generated XLSX
list of ROWS firms (a third already in the registry by code with new figures, a tenth by name
without a code, the rest new, one in a hundred with a bad cell) is imported end to end in a child
process: file checks, parse, validate, geocode, resolve, write with search tokens, batch commits.
In the same process, a bare openpyxl read-only pass over the same file before and after the
import: their mean is the baseline.
Reported: rows/s, whole import time ÷ bare pass, peak memory: the max RSS of the importing
process plus that of the process preparing its batches, if it forked one (pages shared since
the fork count twice: an upper bound), and the peak of their PSS sum (shared pages counted once),
sampled every half second from the bench's own process.

Then the labelled entity-resolution set (weft/imports/testset.py): precision of automatic merges,
recall of automatic plus queued. Goals: ≤ 60 s per 100,000 rows, ratio ≤ 4, peak < 1 GB,
precision ≥ 0.99, recall ≥ 0.95.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

PY = sys.executable
VAR = ROOT / "var" / "bench"
RESULTS = HERE / "results"


def log(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def django_env(url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEFT_")}
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings",
        WEFT_DEBUG="false",
        WEFT_CACHE="locmem",
        WEFT_LOG_LEVEL="WARNING",
        WEFT_MEDIA_ROOT=str(VAR / "media"),
        PYTHONPATH=str(ROOT),
    )
    return env


def run(cmd, env, what):
    began = time.perf_counter()
    result = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit(f"{what} failed")
    return time.perf_counter() - began, result.stdout


def _pss_kib(pid: int) -> int:
    """Proportional set size of a process and its descendants: pages shared between them (a
    forked process shares its parent's) counted once, split between the sharers."""
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            total += next(int(line.split()[1]) for line in fh if line.startswith("Pss:"))
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += _pss_kib(int(child))
    except (OSError, StopIteration):
        pass  # the process ended meanwhile
    return total


def run_sampled(cmd, env, what):
    """`run`, sampling the memory of the process and its children every half second (from
    here: the measured process gets no sampling thread). Returns (seconds, stdout, peak MiB)."""
    began = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=err, text=True)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _pss_kib(proc.pid))
            time.sleep(0.5)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode:
        sys.stderr.write(stdout[-3000:] + stderr[-3000:])
        raise SystemExit(f"{what} failed")
    return time.perf_counter() - began, stdout, round(peak / 1024)


# --- child: the work inside Django ---------------------------------------------------------------


def child_make_file(path: str, rows: int, seed: int) -> dict:
    """The list to import, drawn from the registry the database holds."""
    import random

    from openpyxl import Workbook

    from weft.registry.demo.generator import FirmMaker, cluster_plans, firm_stream
    from weft.registry.models import Enterprise

    rng = random.Random(seed)
    stage_names = {}
    from weft.registry.models import ChainStage

    stage_names = dict(ChainStage.objects.values_list("code", "name_zh"))
    n_code, n_name = rows // 3, rows // 10
    n_new = rows - n_code - n_name
    existing = list(
        Enterprise.objects.order_by("?").values_list(
            "uscc", "name_zh", "address", "main_products", "employees"
        )[: n_code + n_name]
    )
    taken = set(Enterprise.objects.exclude(uscc=None).values_list("uscc", flat=True))
    maker = FirmMaker(seed + 1000, taken)
    # Names the registry already holds would be (correctly) merged; new firms need new names.
    maker.names.update(Enterprise.objects.values_list("name_zh", flat=True))
    new = [f for f in firm_stream(cluster_plans(), n_new, maker)]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("企业名录")
    ws.append(["企业名称", "统一社会信用代码", "地址", "主营产品", "产业链环节", "员工人数"])
    out = []
    for uscc, name, address, products, employees in existing[:n_code]:
        out.append([name, uscc, address, products, "", (employees or 10) + rng.randint(1, 50)])
    for _uscc, name, address, products, employees in existing[n_code:]:
        variant = name.replace("有限公司", "有限责任公司") if "有限公司" in name else name + "厂"
        out.append([variant, "", address, products, "", employees])
    for firm in new:
        e = firm.enterprise
        stage = stage_names.get(firm.stages[0], "") if firm.stages else ""
        employees = e.employees if rng.random() > 0.01 else "很多"  # a bad cell now and then
        out.append([e.name_zh, e.uscc, e.address, e.main_products, stage, employees])
    rng.shuffle(out)
    for row in out:
        ws.append(row)
    wb.save(path)
    return {"rows": len(out), "by_code": n_code, "by_name": n_name, "new": n_new}


def child_measure(path: str) -> dict:
    import resource

    import openpyxl
    from django.core.files import File

    from weft.imports import engine, services
    from weft.registry.models import Enterprise
    from weft.registry.selectors import EnterpriseFilters, enterprise_directory

    def bare_pass() -> tuple[int, float]:
        began = time.perf_counter()
        wb = openpyxl.load_workbook(path, read_only=True)
        count = sum(1 for _row in wb.active.iter_rows(values_only=True))
        wb.close()
        return count, time.perf_counter() - began

    # The machine is shared: the baseline is the mean of a pass before and one after the import.
    load_before = os.getloadavg()[0]
    count, bare_before = bare_pass()
    before = Enterprise.objects.count()

    began = time.perf_counter()
    with open(path, "rb") as fh:
        job = services.create_job(user=None, upload=File(fh, name="bench.xlsx"), system=True)
    services.start_job(user=None, job=job, system=True)
    checked = time.perf_counter() - began  # upload: file checks, header, row count, preview
    job = engine.run(job)
    seconds = time.perf_counter() - began
    if job.status != "done":
        raise SystemExit(f"import failed: {job.error_message}")
    bare = (bare_before + bare_pass()[1]) / 2
    # A new firm is searchable at once.
    newest = Enterprise.objects.filter(source="import").order_by("-id").first()
    found = enterprise_directory(EnterpriseFilters(q=newest.name_zh)).filter(pk=newest.pk).exists()
    return {
        "rows": count - 1,
        "bare_seconds": round(bare, 2),
        "import_seconds": round(seconds, 2),
        "rows_per_second": round((count - 1) / seconds),
        "ratio": round(seconds / bare, 2),
        # The import may prepare its batches in a forked process (see engine._run_pipelined):
        # its peak is added to this one's (an upper bound: pages shared since the fork count twice).
        "peak_mb": round(
            (
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            )
            / 1024
        ),
        "batch_size": engine.batch_size(),
        "peak_mb_writer": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "peak_mb_preparer": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "pipelined": engine.pipelined(),
        "created": job.created,
        "merged": job.merged,
        "unchanged": job.unchanged,
        "pending": job.pending,
        "rejected": job.rejected,
        "registry_before": before,
        "registry_after": Enterprise.objects.count(),
        "new_firm_searchable": found,
        "phases": {"file checks and preview": round(checked, 2)}
        | {k: round(v, 2) for k, v in job.timings.items()},
        "load_average": f"{load_before:.1f}–{os.getloadavg()[0]:.1f}",
    }


def child(args) -> None:
    import django

    django.setup()
    if args.child == "make-file":
        result = child_make_file(args.file, args.rows, args.seed)
    elif args.child == "measure":
        result = child_measure(args.file)
    else:
        from weft.imports.testset import build, evaluate

        began = time.perf_counter()
        pairs = build(seed=args.seed)
        r = evaluate(pairs)
        result = {
            "pairs": r.pairs,
            "true_matches": r.matches,
            "auto_merges": r.auto,
            "queued": r.queued,
            "precision": round(r.precision, 4),
            "recall": round(r.recall, 4),
            "auto_recall": round(r.auto_recall, 4),
            "seconds": round(time.perf_counter() - began, 2),
            "by_kind": r.by_kind,
        }
    print(json.dumps(result))


# --- parent: databases and the table -------------------------------------------------------------


def base_name(args) -> str:
    return f"imports_{args.registry}_base"


def prepare(backend: str, args, pg) -> str:
    """Generate the registry once into a base database, kept for `--reuse`; return its URL."""
    n = args.registry
    if backend == "sqlite":
        path = VAR / f"{base_name(args)}.sqlite3"
        url = f"sqlite:///{path}"
        if args.reuse and path.exists():
            return url
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        url = pg.url(f"weft_{base_name(args)}")
        if args.reuse and pg.database_exists(f"weft_{base_name(args)}"):
            return url
        pg.recreate_database(f"weft_{base_name(args)}")
    env = django_env(url)
    log(f"{backend}: migrate")
    run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env, "migrate")
    log(f"{backend}: generate {n:,} registry firms")
    if backend == "postgresql":
        pg.bulk_load()  # fsync off while generating only; durable again before measuring
    seconds, _ = run(
        [PY, "manage.py", "generate_demo", "--enterprises", str(n), "--seed", "1"], env, "generate"
    )
    log(f"{backend}: generated in {seconds:.0f} s")
    if backend == "postgresql":
        pg.durable()
        # As autovacuum leaves a registry in use (and would, at a moment of its choosing, during
        # the first measurement): hint bits set, visibility map and statistics up to date.
        pg.psql(f"weft_{base_name(args)}", "VACUUM (FREEZE, ANALYZE)")
    return url


def working_copy(backend: str, args, pg) -> str:
    """A fresh copy of the base database to import into (the import changes it), migrated."""
    if backend == "sqlite":
        base = VAR / f"{base_name(args)}.sqlite3"
        path = VAR / f"imports_{args.registry}_run.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        run([PY, "-c", f"import sqlite3; s = sqlite3.connect({str(base)!r}); "
             f"d = sqlite3.connect({str(path)!r}); s.backup(d); d.close(); s.close()"],
            os.environ.copy(), "copy")  # fmt: skip
        url = f"sqlite:///{path}"
    else:
        name = f"weft_imports_{args.registry}_run"
        pg.psql("postgres", f'DROP DATABASE IF EXISTS "{name}"')
        pg.psql("postgres", f'CREATE DATABASE "{name}" TEMPLATE "weft_{base_name(args)}"')
        url = pg.url(name)
    env = django_env(url)
    run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env, "migrate")
    if backend == "postgresql":
        run([PY, "-c", "import django; django.setup(); from django.db import connection; "
             "connection.cursor().execute('ANALYZE')"], env, "analyze")  # fmt: skip
    return url


def machine() -> str:
    from directory import machine as describe

    m = describe()
    return ", ".join(f"{v}" for v in m.values() if v)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--registry", type=int, default=200_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pg-port", type=int, default=55433)
    parser.add_argument("--child", choices=["make-file", "measure", "resolution"])
    parser.add_argument("--file")
    parser.add_argument(
        "--batch-size", type=int, help="rows per batch commit (default: the site's setting)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "imports-latest.json")
    parser.add_argument(
        "--reuse", action="store_true", help="measure on the databases and file already prepared"
    )
    parser.add_argument(
        "--prepare-only", action="store_true", help="generate databases and file, measure nothing"
    )
    args = parser.parse_args()
    if args.child:
        return child(args)

    VAR.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    file = VAR / f"imports-{args.rows}-of-{args.registry}-seed{args.seed}.xlsx"
    report = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "rows": args.rows,
        "registry": args.registry,
        "backends": {},
    }
    pg = None
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    try:
        for backend in backends:
            if backend == "postgresql" and pg is None:
                from postgres import Postgres

                pg = Postgres(VAR / "pg-imports", args.pg_port)
                if not (args.reuse and pg.exists()):
                    pg.init()
                pg.start()
            base = prepare(backend, args, pg)
            if not (file.exists() and (args.reuse or backend != backends[0])):
                log(f"writing the {args.rows:,}-row list")
                run(
                    [PY, __file__, "--child", "make-file", "--file", str(file), "--rows",
                     str(args.rows), "--seed", str(args.seed)],
                    django_env(base),
                    "make-file",
                )  # fmt: skip
            if args.prepare_only:
                continue
            url = working_copy(backend, args, pg)
            log(f"{backend}: importing")
            env = django_env(url)
            if args.batch_size:
                env["WEFT_IMPORT_BATCH_SIZE"] = str(args.batch_size)
            _, out, pss = run_sampled(
                [PY, __file__, "--child", "measure", "--file", str(file)], env, "measure"
            )
            report["backends"][backend] = json.loads(out) | {"peak_mb_pss": pss}
            log(f"{backend}: {report['backends'][backend]}")
    finally:
        if pg is not None:
            pg.stop()
    if args.prepare_only:
        log("prepared; measure with --reuse")
        return
    _, out = run([PY, __file__, "--child", "resolution", "--seed", str(args.seed)],
                 django_env(f"sqlite:///{VAR / 'unused.sqlite3'}"), "resolution")  # fmt: skip
    report["resolution"] = json.loads(out)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(table(report))


def table(r: dict) -> str:
    lines = [
        f"Bulk import benchmark — {r['date']}",
        f"Machine: {r['machine']}",
        f"{r['rows']:,}-row XLSX into a registry of {r['registry']:,} enterprises",
        "",
        "| backend | rows/s | import s | bare openpyxl s | ratio | peak MB | created | merged "
        "| unchanged | review | rejected | searchable | load avg |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for name, b in r["backends"].items():
        lines.append(
            f"| {name} | {b['rows_per_second']:,} | {b['import_seconds']} | {b['bare_seconds']} "
            f"| {b['ratio']} | {b['peak_mb']} | {b['created']:,} | {b['merged']:,} "
            f"| {b['unchanged']:,} | {b['pending']:,} | {b['rejected']:,} "
            f"| {'yes' if b['new_firm_searchable'] else 'NO'} | {b.get('load_average', '')} |"
        )
    for name, b in r["backends"].items():
        phases = " · ".join(f"{k} {v} s" for k, v in b.get("phases", {}).items())
        lines.append(f"{name} phases (batches of {b.get('batch_size', '?')} rows): {phases}")
        lines.append(
            f"{name} peak MiB: PSS of the measuring process and its children, sampled every 0.5 s "
            f"{b.get('peak_mb_pss', '?')}; max RSS writing process {b['peak_mb_writer']}, preparing "
            f"process {b['peak_mb_preparer'] if b.get('pipelined') else '(none)'} (the table "
            f"gives their sum, which counts pages shared since the fork twice)"
        )
    res = r["resolution"]
    lines += [
        "",
        f"Entity resolution, labelled set: {res['pairs']:,} pairs ({res['true_matches']:,} same "
        f"firm), {res['seconds']} s",
        f"precision of automatic merges {res['precision']:.4f} · recall automatic + queued "
        f"{res['recall']:.4f} · recall automatic only {res['auto_recall']:.4f} · "
        f"{res['auto_merges']:,} automatic, {res['queued']:,} queued",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
