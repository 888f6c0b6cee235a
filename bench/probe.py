"""The bench's look inside the database, run as a subprocess with DATABASE_URL set.

    probe.py status             {"migrated": bool, "enterprises": n}
    probe.py analyze            planner statistics (ANALYZE; on SQLite also FTS5 optimize + PRAGMA optimize)
    probe.py pool SEED SIZE     directory queries drawn from the generated data, per scenario
    probe.py explain FILE       per query: each SQL statement the API runs, its time and its plan

Every command prints one JSON document on stdout.
"""

import json
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402

# Words people type into the directory: cluster towns and product words. A sampled firm's query
# is the first of these (in a seeded random order) that its text contains.
TOWNS = [
    "虎门",
    "盛泽",
    "柯桥",
    "大朗",
    "濮院",
    "织里",
    "新塘",
    "西樵",
    "张槎",
    "大唐",
    "石狮",
    "晋江",
    "常熟",
    "海宁",
    "义乌",
    "即墨",
    "高阳",
    "清河",
    "叠石桥",
    "沙溪",
    "大涌",
    "横村",
]
PRODUCTS = [
    "牛仔",
    "羊毛衫",
    "针织",
    "面料",
    "连衣裙",
    "女装",
    "男装",
    "童装",
    "家纺",
    "丝绸",
    "羽绒服",
    "毛巾",
    "衬衫",
    "休闲",
    "化纤",
    "毛织",
    "袜业",
    "内衣",
    "领带",
    "羊绒",
    "坯布",
]
VOCABULARY = TOWNS + PRODUCTS

API = "/api/v1/enterprises"


def status() -> dict:
    from weft.registry.models import Enterprise

    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:  # noqa: BLE001 - an empty or foreign database is simply "not migrated"
        return {"migrated": False, "enterprises": 0}
    if pending:
        return {"migrated": False, "enterprises": 0}
    from weft.registry.index_selectors import changed_since, directory_state

    state = directory_state()
    # The stored index answers for every firm as they are: a snapshot, and no change since it.
    current = state.snapshot_id is not None and changed_since(state.snapshot_id, 0) == []
    return {"migrated": True, "enterprises": Enterprise.objects.count(), "index_current": current}


def analyze() -> dict:
    began = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM (ANALYZE)")
        else:
            # Merge the FTS5 segments a bulk load leaves behind, then gather statistics.
            cursor.execute(
                "INSERT INTO registry_enterprise_fts(registry_enterprise_fts) VALUES ('optimize')"
            )
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA optimize")
    return {"seconds": round(time.perf_counter() - began, 1)}


def pool(seed: int, size: int) -> dict:
    """Queries for each scenario, built from enterprises picked at random (seeded)."""
    from django.db.models import Max, Min

    from weft.registry.models import ClusterMembership, Enterprise

    rng = random.Random(seed)
    bounds = Enterprise.objects.aggregate(lo=Min("id"), hi=Max("id"))
    if bounds["lo"] is None:
        raise SystemExit("no enterprises to draw queries from")
    ids = {rng.randint(bounds["lo"], bounds["hi"]) for _ in range(size * 6)}
    firms = list(
        Enterprise.objects.filter(pk__in=ids)
        .only("id", "search_text", "province", "size_band", "name_zh")
        .prefetch_related("stages")
        .order_by("id")
    )
    clusters = dict(
        ClusterMembership.objects.filter(
            enterprise__in=firms, status=ClusterMembership.Status.APPROVED
        ).values_list("enterprise_id", "cluster_id")
    )
    rng.shuffle(firms)

    def word_for(firm) -> str:
        words = VOCABULARY[:]
        rng.shuffle(words)
        return next((w for w in words if w in firm.search_text), "")

    province_stage, cluster_size = [], []
    for firm in firms:
        word = word_for(firm)
        stages = sorted(s.code for s in firm.stages.all())
        if not word:
            continue
        if firm.province and stages and len(province_stage) < size:
            params = {"q": word, "province": firm.province, "stage": rng.choice(stages)}
            province_stage.append(f"{API}?{urlencode(params)}")
        if firm.pk in clusters and firm.size_band and len(cluster_size) < size:
            params = {"q": word, "cluster": clusters[firm.pk], "size_band": firm.size_band}
            cluster_size.append(f"{API}?{urlencode(params)}")
    return {
        "substring + province + stage": province_stage,
        "substring + cluster + size band": cluster_size,
    }


def explain(path: str) -> dict:
    """Run each query the way the API does, capturing every statement, its time and its plan."""
    from urllib.parse import parse_qsl, urlsplit

    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    from weft.registry import selectors
    from weft.registry.directory import DirectoryMatches

    queries = json.loads(Path(path).read_text())
    out = []
    for url in queries:
        params = dict(parse_qsl(urlsplit(url).query))
        filters = selectors.EnterpriseFilters(
            q=params.get("q", ""),
            cluster=int(params["cluster"]) if params.get("cluster") else None,
            province=params.get("province", ""),
            stage=params.get("stage", ""),
            size_band=params.get("size_band", ""),
        )
        # As the API: the page's ids with their total (by the plan the directory picks for the
        # backend and the search), then its rows.
        with CaptureQueriesContext(connection) as captured:
            page, count = DirectoryMatches(filters).window(0, 20)
            selectors.directory_rows(page)
        statements, set_locals = [], []
        for q in captured.captured_queries:
            sql = q["sql"]
            if sql.upper().startswith("SET "):
                set_locals.append(sql)  # a SET LOCAL of the API's, for its next statement
            if not sql.upper().startswith("SELECT"):
                continue
            with transaction.atomic(), connection.cursor() as cursor:
                for set_local in set_locals:
                    cursor.execute(set_local)
                began = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                ms = (time.perf_counter() - began) * 1000
                statements.append({"sql": sql, "ms": round(ms, 2), "plan": plan(sql)})
            set_locals = []
        out.append({"url": url, "count": count, "rows": len(page), "statements": statements})
    return {"vendor": connection.vendor, "queries": out}


def plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return "\n".join(r[0] for r in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(f"{r[0]:>3} {r[1]:>3} {r[3]}" for r in cursor.fetchall())


def main(argv: list[str]) -> None:
    command = argv[0] if argv else ""
    if command == "status":
        result = status()
    elif command == "analyze":
        result = analyze()
    elif command == "pool":
        result = pool(int(argv[1]), int(argv[2]))
    elif command == "explain":
        result = explain(argv[1])
    else:
        raise SystemExit(__doc__)
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1:])
