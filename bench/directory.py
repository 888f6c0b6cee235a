#!/usr/bin/env python3
"""Benchmark of the enterprise directory API on SQLite and PostgreSQL.

    .venv/bin/python bench/directory.py                       # 1,000,000 enterprises, both backends
    .venv/bin/python bench/directory.py --enterprises 100000 --requests 400 --backends sqlite
    .venv/bin/python bench/directory.py --reuse               # keep an already generated database

For each backend: a fresh database in var/bench/ (SQLite file, or a throwaway PostgreSQL 15 cluster
reached through its Unix socket; `--pg-via tcp`: on 127.0.0.1), migrate,
`manage.py generate_demo --enterprises N --seed 1`, planner statistics;
then gunicorn with 2 sync workers, and a stdlib HTTP client with a fixed number of keep-alive
connections. Directory queries (a Chinese substring and two filters, page 1, with the total count)
are drawn from the generated data. Runs interleave the trivial /api/v1/health endpoint (baseline)
and the directory: baseline, scenario 1, baseline, scenario 2, baseline; each scenario is compared
with the mean of the baselines around it.

Goals: directory p95 <= 100 ms and directory throughput >= 50% of the baseline's.
Results: a table on stdout, bench/results/latest.json, plans in bench/results/explain-*.txt.
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import load  # noqa: E402
from postgres import BIN as PG_BIN  # noqa: E402
from postgres import Postgres  # noqa: E402

PY = sys.executable
VAR = ROOT / "var" / "bench"
RESULTS = HERE / "results"
HOST = "127.0.0.1"
HEALTH = "/api/v1/health"
P95_GOAL_MS = 100.0
RATIO_GOAL = 0.5


def log(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# --- the machine -------------------------------------------------------------------------------


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    ram_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    os_name = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = f"{line.split('=', 1)[1].strip(chr(34))} (Linux {platform.release()})"
    except OSError:
        pass
    try:
        pg = subprocess.run(
            [PG_BIN / "postgres", "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        pg = "not installed"
    try:
        gunicorn = subprocess.run(
            [PY, "-m", "gunicorn", "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        gunicorn = "not installed"
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": ram_gib,
        "os": os_name,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg,
        "gunicorn": gunicorn,
    }


def loadavg() -> float | None:
    """The 1-minute load average: other work on the machine shows up here."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


# --- databases ---------------------------------------------------------------------------------


def run_logged(cmd: list, env: dict, logfile: Path, what: str) -> float:
    log(f"{what}: {' '.join(map(str, cmd))} (log: {logfile.relative_to(ROOT)})")
    began = time.perf_counter()
    with open(logfile, "a") as out:
        result = subprocess.run(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    if result.returncode:
        tail = logfile.read_text(errors="replace").splitlines()[-20:]
        raise SystemExit(f"{what} failed (exit {result.returncode}):\n" + "\n".join(tail))
    return time.perf_counter() - began


def probe(env: dict, *args) -> dict:
    out = subprocess.run(
        [PY, HERE / "probe.py", *map(str, args)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(f"probe {args[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout)


def django_env(database_url: str, cache_seconds: int = 0, index: bool = True) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEFT_")}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        WEFT_DEBUG="false",
        # The production default: a file cache the workers share (throttle and directory answers).
        WEFT_CACHE="file",
        WEFT_VAR_DIR=str(VAR / "var"),
        WEFT_DIRECTORY_CACHE_SECONDS=str(cache_seconds),
        WEFT_DIRECTORY_INDEX="true" if index else "false",
        WEFT_LOG_LEVEL="WARNING",
        # High enough that the bench is never throttled; see the note on the throttle in BENCHMARKS.md.
        WEFT_THROTTLE_ANON="1000000/min",
        WEFT_THROTTLE_USER="1000000/min",
    )
    return env


def prepare(backend: str, args, pg: Postgres | None) -> tuple[str, dict]:
    """A migrated database holding `args.enterprises` generated enterprises, with statistics."""
    n = args.enterprises
    info: dict = {"backend": backend}
    if backend == "sqlite":
        path = VAR / f"directory-{n}.sqlite3"
        url = f"sqlite:///{path}"
    else:
        url = pg.url(f"weft_bench_{n}", socket=args.pg_via == "socket")
    env = django_env(url)

    if args.reuse and (backend == "sqlite" or pg.database_exists(f"weft_bench_{n}")):
        if backend == "postgresql" or Path(url.removeprefix("sqlite:///")).exists():
            # Migrations added since the data was generated (cheap: no data is rewritten).
            run_logged([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env,
                       VAR / f"migrate-{backend}-{n}.log", "migrate")  # fmt: skip
        state = probe(env, "status")
        if state["migrated"] and state["enterprises"] == n:
            log(f"{backend}: reusing the database with {n:,} enterprises")
            info["generated"] = "reused"
            if args.keep_index and state["index_current"]:
                # As at peak hours: the nightly build long done, its writes long flushed.
                log(f"{backend}: the stored index is current; kept (--keep-index)")
                info["index_build_seconds"] = "kept"
                return url, info | database_size(backend, url, pg)
            # The firms may have been generated before the index existed, or changed since.
            began = time.perf_counter()
            run_logged([PY, "manage.py", "build_directory_index"], env,
                       VAR / f"index-{backend}-{n}.log", "index")  # fmt: skip
            info["index_build_seconds"] = round(time.perf_counter() - began, 1)
            settle(backend, url, pg)
            return url, info | database_size(backend, url, pg)
        log(f"{backend}: nothing to reuse ({state}); generating")

    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        pg.recreate_database(f"weft_bench_{n}")
        pg.bulk_load()
    logfile = VAR / f"generate-{backend}-{n}.log"
    logfile.unlink(missing_ok=True)
    run_logged([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env, logfile, "migrate")
    command = [c.format(n=n, seed=args.seed, python=PY) for c in shlex.split(args.generator)]
    if pg is not None and args.postgres_from_sqlite:
        source = VAR / f"directory-{n}.sqlite3"
        if not source.exists():
            raise SystemExit(
                f"--postgres-from-sqlite: no {source.relative_to(ROOT)}; run sqlite first"
            )
        command = [PY, str(HERE / "copy_from_sqlite.py"), str(source)]
        info["copied_from_sqlite"] = True
    gin = []
    if pg is not None:
        gin = pg.drop_gin_indexes(f"weft_bench_{n}", "registry_enterprise")
        log(f"postgresql: GIN indexes dropped for the bulk load, built after it: {len(gin)}")
    info["generate_seconds"] = round(run_logged(command, env, logfile, "generate"), 1)
    if pg is not None:
        began = time.perf_counter()
        pg.create_indexes(f"weft_bench_{n}", gin)
        info["index_seconds"] = round(time.perf_counter() - began, 1)
        # The measured server is durable again: fsync etc. were off only while generating.
        pg.durable()
    info["analyze_seconds"] = probe(env, "analyze")["seconds"]
    state = probe(env, "status")
    if state["enterprises"] != n:
        raise SystemExit(f"{backend}: expected {n:,} enterprises, the database has {state}")
    info["generated"] = f"{info['generate_seconds']} s"
    settle(backend, url, pg)
    return url, info | database_size(backend, url, pg)


def settle(backend: str, url: str, pg: Postgres | None) -> None:
    """Flush what the preparation wrote (the index build writes a snapshot of some 280 MiB)
    before measuring: otherwise the server's checkpoint, or the kernel's writeback, runs during
    the first runs and takes the CPU from them, as a nightly build would not at peak hours. On
    PostgreSQL the build's deletes (the snapshot before the last, the change log) are vacuumed
    too: autovacuum did it during the first-time runs of 11-25 04:19."""
    began = time.perf_counter()
    if backend == "sqlite":
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        database = url.rsplit("/", 1)[1]
        pg.psql(database, "VACUUM registry_directoryindexsnapshot, registry_directorychange")
        pg.psql(database, "CHECKPOINT")
    os.sync()
    log(f"{backend}: written data flushed before measuring ({time.perf_counter() - began:.1f} s)")


def database_size(backend: str, url: str, pg: Postgres | None) -> dict:
    if backend == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    else:
        name = url.rsplit("/", 1)[1]
        size = int(pg.psql(name, "SELECT pg_database_size(current_database())"))
    return {"database_gib": round(size / 1024**3, 2)}


# --- the server --------------------------------------------------------------------------------


def free_port(preferred: int) -> int:
    for port in range(preferred, preferred + 50):
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
                return port
            except OSError:
                continue
    raise SystemExit(f"no free port from {preferred}")


class Gunicorn:
    def __init__(self, env: dict, port: int, workers: int, logfile: Path):
        self.env, self.port, self.workers, self.logfile = env, port, workers, logfile
        self.process: subprocess.Popen | None = None

    def __enter__(self):
        cmd = [
            PY, "-m", "gunicorn", "config.wsgi",
            "-w", str(self.workers),
            "-b", f"{HOST}:{self.port}",
            "--timeout", "120",
            "--log-level", "warning",
        ]  # fmt: skip
        log(f"gunicorn: {' '.join(cmd[2:])}")
        self.out = open(self.logfile, "w")  # noqa: SIM115 - closed in __exit__
        self.process = subprocess.Popen(
            cmd, env=self.env, cwd=ROOT, stdout=self.out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.logfile}")
            try:
                if load.get(HOST, self.port, HEALTH, timeout=5)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit("gunicorn did not answer within 60 s")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.out.close()


# --- one backend -------------------------------------------------------------------------------


def bench_backend(backend: str, args, pg: Postgres | None) -> dict:
    url, info = prepare(backend, args, pg)
    if args.prepare_only:
        return {**info, "enterprises": args.enterprises, "scenarios": [], "runs": []}
    env = django_env(url)
    pools = probe(env, "pool", args.seed, args.pool)
    for name, paths in pools.items():
        if not paths:
            raise SystemExit(f"{backend}: no query could be drawn for {name}")
    if pg is not None:
        info["server"] = pg.show(
            "server_version", "shared_buffers", "effective_cache_size", "work_mem",
            "random_page_cost", "fsync", "jit", "max_parallel_workers_per_gather",
        )  # fmt: skip
    runs: list[dict] = []
    scenarios: list[dict] = []
    matches: dict[str, list[int]] = {}
    for mode in args.cache.split(","):
        # "cached": answers kept until the directory changes, and every query of the pool was
        # asked once before measuring (a directory's popular queries); "uncached": every
        # request searches (the cache turned off), the cost of a query nobody asked before;
        # "unindexed": as uncached, with the in-memory index off too (the database alone).
        cache_seconds = 600 if mode == "cached" else 0
        shutil.rmtree(VAR / "var" / "cache", ignore_errors=True)
        server_env = django_env(url, cache_seconds, index=mode != "unindexed")
        port = free_port(args.port)
        with Gunicorn(server_env, port, args.workers, VAR / f"gunicorn-{backend}.log"):
            measure_mode(backend, mode, port, pools, matches, args, runs, scenarios)
    explained = explain(backend, env, pools, args.explain) if args.explain else None
    return {**info, "enterprises": args.enterprises, "scenarios": scenarios, "runs": runs,
            "statement_ms": explained}  # fmt: skip


def measure_mode(backend, mode, port, pools, matches, args, runs, scenarios) -> None:
    # Warm-up: every query once (which also gives the size of its result), then a short burst.
    for name, paths in pools.items():
        counts = []
        for path in paths:
            status, body = load.get(HOST, port, path, timeout=120)
            if status != 200:
                raise SystemExit(f"{backend}: {path} answered {status}: {body[:300]!r}")
            counts.append(json.loads(body)["count"])
        matches[name] = counts
    common = {"requests": max(50, args.requests // 10), "concurrency": args.concurrency,
              "max_seconds": args.max_seconds}  # fmt: skip
    load.run("warm-up", HOST, port, [HEALTH], **common)
    for paths in pools.values():
        load.run("warm-up", HOST, port, paths, **common)

    def measure(name: str, paths: list[str]) -> dict:
        result = load.run(
            name, HOST, port, paths, requests=args.requests,
            concurrency=args.concurrency, max_seconds=args.max_seconds,
        )  # fmt: skip
        summary = result.summary() | {"loadavg_after": loadavg(), "cache": mode}
        log(
            f"{backend} {mode} {name}: {summary['rps']} req/s, p50 {summary['p50_ms']} ms, "
            f"p95 {summary['p95_ms']} ms, errors {summary['errors']}, load {summary['loadavg_after']}"
        )
        runs.append(summary)
        return summary

    before = measure("baseline /api/v1/health", [HEALTH])
    for name, paths in pools.items():
        directory = measure(name, paths)
        after = measure("baseline /api/v1/health", [HEALTH])
        baseline_rps = statistics.fmean([before["rps"], after["rps"]])
        ratio = directory["rps"] / baseline_rps if baseline_rps else 0.0
        scenarios.append(
            {
                "scenario": name,
                "cache": mode,
                "queries": len(paths),
                "example": paths[0],
                "median_matches": int(statistics.median(matches[name])),
                "max_matches": max(matches[name]),
                **{k: directory[k] for k in ("p50_ms", "p95_ms", "p99_ms", "rps", "errors")},
                "baseline_rps": round(baseline_rps, 1),
                "ratio": round(ratio, 3),
                "p95_pass": directory["p95_ms"] <= P95_GOAL_MS and not directory["errors"],
                "ratio_pass": ratio >= RATIO_GOAL,
                "loadavg": directory["loadavg_after"],
            }
        )
        before = after


def explain(backend: str, env: dict, pools: dict, k: int) -> dict:
    """Where a directory request's database time goes: each statement's time and plan."""
    chosen = [p for paths in pools.values() for p in paths[:k]]
    query_file = VAR / f"explain-{backend}.json"
    query_file.write_text(json.dumps(chosen, ensure_ascii=False))
    result = probe(env, "explain", query_file)
    lines, by_kind = [], {}
    for q in result["queries"]:
        lines.append(f"=== {q['url']}  (count {q['count']:,})")
        for st in q["statements"]:
            kind = statement_kind(st["sql"])
            by_kind.setdefault(kind, []).append(st["ms"])
            lines += [f"--- {kind}: {st['ms']} ms", st["sql"], st["plan"], ""]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"explain-{backend}.txt").write_text("\n".join(lines))
    return {kind: round(statistics.median(ms), 2) for kind, ms in by_kind.items()}


def statement_kind(sql: str) -> str:
    s = sql.upper()
    if "REGISTRY_ENTERPRISE_STAGES" in s:
        return "stages of the page"
    if "REGISTRY_CLUSTERMEMBERSHIP" in s:
        return "clusters of the page"
    if "COUNT(*) OVER" in s:
        return "page with its total"
    if s.startswith("SELECT COUNT(*)"):
        return "total from the index"
    if s.startswith("SELECT MAX(ID)"):
        return "size of the registry"
    if "MATCH" in s:
        return "page from the index"
    return "fields of the page"


# --- report ------------------------------------------------------------------------------------


def markdown(report: dict) -> str:
    m = report["machine"]
    out = [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, {m['os']}; "
        f"Python {m['python']}, SQLite {m['sqlite']}, {m['postgresql']}, {m['gunicorn']}; "
        f"{m['date']}.",
        f"Command: `{report['command']}` ({report['settings']['workers']} gunicorn sync workers, "
        f"{report['settings']['concurrency']} client connections, "
        f"{report['settings']['requests']} requests per run; PostgreSQL reached by "
        f"{report['settings']['pg_via']}).",
        "",
        "| backend | enterprises | scenario | answers | matches (median) | p50 ms | p95 ms "
        "| p99 ms | req/s | baseline req/s | ratio | p95 ≤ 100 ms | ratio ≥ 0.5 | load avg |",
        "|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|:-:|:-:|---:|",
    ]
    for b in report["backends"]:
        for s in b["scenarios"]:
            out.append(
                f"| {b['backend']} | {b['enterprises']:,} | {s['scenario']} "
                f"| {s.get('cache', 'uncached')} | {s['median_matches']:,} "
                f"| {s['p50_ms']:.1f} | {s['p95_ms']:.1f} | {s['p99_ms']:.1f} | {s['rps']:.1f} "
                f"| {s['baseline_rps']:.1f} | {s['ratio']:.2f} "
                f"| {'PASS' if s['p95_pass'] else 'FAIL'} | {'PASS' if s['ratio_pass'] else 'FAIL'} "
                f"| {s['loadavg']} |"
            )
    if any(b.get("statement_ms") for b in report["backends"]):
        out += ["", "Database time per statement (median ms, in-process, after the load):", ""]
        for b in report["backends"]:
            if b.get("statement_ms"):
                parts = ", ".join(f"{k} {v}" for k, v in b["statement_ms"].items())
                out.append(f"- {b['backend']}: {parts}")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=2000, help="requests per measured run")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep a generated database that already has --enterprises rows",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--postgres-from-sqlite",
        action="store_true",
        help="fill PostgreSQL with a copy of the SQLite database generated just before "
        "(same rows on both backends; one generation instead of two)",
    )
    parser.add_argument(
        "--prepare-only", action="store_true", help="generate the databases, measure nothing"
    )
    parser.add_argument("--concurrency", type=int, default=4, help="client connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--pool", type=int, default=100, help="distinct queries per scenario")
    parser.add_argument(
        "--cache",
        default="cached,uncached,unindexed",
        help="answer modes to measure: cached (the directory cache on, queries asked before), "
        "uncached (the cache off: every request searches, from the in-memory index), unindexed "
        "(the cache and the index off: every request searches the database)",
    )
    parser.add_argument(
        "--explain",
        type=int,
        default=3,
        metavar="K",
        help="EXPLAIN the first K queries of each scenario (0: skip)",
    )
    parser.add_argument("--max-seconds", type=float, default=300, help="time limit of one run")
    parser.add_argument("--port", type=int, default=58080, help="gunicorn port (first free from)")
    parser.add_argument("--pg-port", type=int, default=55450)
    parser.add_argument(
        "--keep-index",
        action="store_true",
        help="with --reuse: keep the stored directory index when no firm changed since it was "
        "built, rather than rebuilding it right before measuring",
    )
    parser.add_argument(
        "--pg-via",
        choices=("socket", "tcp"),
        default="socket",
        help="how the app reaches PostgreSQL on the same machine (socket: its Unix socket)",
    )
    parser.add_argument(
        "--generator",
        default="{python} manage.py generate_demo --enterprises {n} --seed {seed}",
        help="command that fills the migrated database (DATABASE_URL is set)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    parser.add_argument(
        "--report",
        type=Path,
        nargs="+",
        metavar="JSON",
        help="print the table of saved results (several: backends merged), run nothing",
    )
    args = parser.parse_args()  # fmt: skip
    if args.report:
        reports = [json.loads(p.read_text()) for p in args.report]
        merged = reports[0] | {"backends": [b for r in reports for b in r["backends"]]}
        merged["command"] = " ; ".join(r["command"] for r in reports)
        print(markdown(merged))
        return

    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(backends) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backends: {', '.join(sorted(unknown))}")
    VAR.mkdir(parents=True, exist_ok=True)
    report = {
        "machine": machine(),
        "command": shlex.join(["bench/directory.py", *sys.argv[1:]]),
        "settings": {
            k: getattr(args, k)
            for k in ("requests", "concurrency", "workers", "pool", "seed", "pg_via")
        },
        "goals": {"p95_ms": P95_GOAL_MS, "ratio": RATIO_GOAL},
        "backends": [],
    }
    pg = None
    try:
        for backend in backends:
            if backend == "postgresql":
                pg = Postgres(VAR / "pg", args.pg_port)
                if not (args.reuse and pg.exists()):
                    log(f"postgresql: new cluster in {pg.dir.relative_to(ROOT)}")
                    pg.init()
                pg.start()
                pg.durable()
                report["machine"]["postgresql"] = "PostgreSQL " + pg.version()
            report["backends"].append(bench_backend(backend, args, pg))
            if pg is not None:
                pg.stop()
                pg = None
    finally:
        if pg is not None:
            pg.stop()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    m = report["machine"]
    print(
        f"\nMachine: {m['cpu']} | {m['cores']} cores | {m['ram_gib']} GiB | {m['os']} | "
        f"Python {m['python']} | SQLite {m['sqlite']} | {m['postgresql']} | {m['date']}\n"
    )
    print(markdown(report))
    print(
        f"\nFull results: {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}"
    )


if __name__ == "__main__":
    main()
