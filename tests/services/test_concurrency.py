"""Many clients redeeming against one programme at once: the budget is never overspent.

Real threads, each with its own database connection, against committed data (transactional_db).
On PostgreSQL the programme row lock serialises them; on SQLite, BEGIN IMMEDIATE does.
"""

import os
import subprocess
import sys
import threading
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from tests.factories import OrganisationFactory, make_enterprise, member_of
from weft.accounts.models import Membership, Organisation
from weft.registry.taxonomy import load_taxonomy
from weft.services import ledger, orders, vouchers
from weft.services.errors import Refused
from weft.services.models import Account, Redemption, Voucher

from .conftest import make_programme

K = Account.Kind
CLEAR_REFUSALS = {"budget_exhausted", "voucher_used_up", "already_redeemed"}


@pytest.fixture
def _taxonomy(transactional_db):
    # The flush after each transactional test also empties the vocabularies migrations load.
    load_taxonomy()


def _firms(world, n):
    out = []
    for i in range(n):
        firm = make_enterprise(
            name_zh=f"东莞市虎门镇并发测试{i}号服饰有限公司", cluster=world.humen
        )
        org = OrganisationFactory(
            kind=Organisation.Kind.ENTERPRISE, name_zh=firm.name_zh, enterprise=firm
        )
        out.append((org, member_of(org, Membership.Role.ADMIN)))
    return out


def _run(requests):
    """Run every request in its own thread, all released at once; return their outcomes."""
    barrier = threading.Barrier(len(requests))
    outcomes = [None] * len(requests)

    def work(i, user, voucher_id, order_id, key):
        try:
            barrier.wait()
            data, replayed = vouchers.redeem(
                user=user, voucher_id=voucher_id, order_id=order_id, idempotency_key=key
            )
            outcomes[i] = ("ok", data, replayed)
        except Refused as exc:
            outcomes[i] = ("refused", exc.code, exc.message)
        except Exception as exc:  # anything else is a bug the assertions below report
            outcomes[i] = ("error", repr(exc), None)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, *r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def _scenario(world, *, firms, orders_per_firm, duplicates, budget):
    issuer = Organisation.objects.get(pk=world.humen.office_id)
    lab = OrganisationFactory(kind=Organisation.Kind.SERVICE_PROVIDER, name_zh="并发检测实验室")
    from weft.services.models import Category, Service

    service = Service.objects.create(
        provider=lab, category=Category.TESTING, title_zh="成分检测", price=Decimal("400.00")
    )
    programme = make_programme(world.humen_office, issuer, budget=budget, cap="300.00")
    requests = []
    for org, admin in _firms(world, firms):
        app = vouchers.apply(user=admin, programme=programme, firm=org, amount="300.00")
        vouchers.decide(user=world.humen_office, application=app, approve=True)
        voucher = Voucher.objects.get(application=app)
        for j in range(orders_per_firm):
            order = orders.request_service(user=admin, service=service, firm=org)
            orders.transition(user=admin, order_id=order.pk, name="accept")
            requests.append((admin, voucher.pk, order.pk, f"redeem-{order.pk}-{j}"))
    # The same requests again, same idempotency keys: a client retrying after a timeout.
    requests += requests[:duplicates]
    return programme, requests


def _check(programme, requests, outcomes):
    errors = [o for o in outcomes if o is None or o[0] == "error"]
    assert not errors, errors
    refused = Counter(o[1] for o in outcomes if o[0] == "refused")
    assert set(refused) <= CLEAR_REFUSALS, refused
    live = Redemption.objects.filter(programme=programme).exclude(status="reversed")
    spent = sum(live.values_list("subsidy", flat=True), Decimal("0"))
    assert spent <= programme.budget
    for voucher in Voucher.objects.filter(programme=programme):
        used = sum(live.filter(voucher=voucher).values_list("subsidy", flat=True), Decimal("0"))
        assert used <= voucher.amount
        assert ledger.balance(voucher.account) == voucher.amount - used
    balances = ledger.programme_balances(programme)
    assert balances[K.BUDGET] == programme.budget - spent
    assert ledger.verify(programme) == []
    # Each order is paid at most once, and a retried key got the very answer of the first try.
    assert live.values("order").distinct().count() == live.count()
    by_key = {}
    for (_user, _v, _o, key), outcome in zip(requests, outcomes, strict=True):
        if outcome[0] == "ok":
            by_key.setdefault(key, []).append(outcome[1])
    for answers in by_key.values():
        assert all(a == answers[0] for a in answers)
    assert sum(1 for o in outcomes if o[0] == "ok" and not o[2]) == live.count()
    return spent, refused


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="50 writer threads need PostgreSQL's row locks"
)
def test_fifty_threads_never_overspend_on_postgresql(_taxonomy, world, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # 10 firms × 4 orders of ¥400 at 30 % ask for 40 × ¥120, vouchers allow 10 × ¥300, the
    # budget only ¥1,000: most requests must be refused, and clearly.
    programme, requests = _scenario(
        world, firms=10, orders_per_firm=4, duplicates=10, budget="1000.00"
    )
    assert len(requests) == 50
    outcomes = _run(requests)
    spent, refused = _check(programme, requests, outcomes)
    assert spent == Decimal("1000.00")  # the budget ran out exactly, to the fen
    assert refused["budget_exhausted"] > 0
    assert any(o[0] == "ok" and o[2] for o in outcomes) or refused  # duplicates answered


def _sqlite_in_memory() -> bool:
    return connection.vendor == "sqlite" and connection.settings_dict.get("TEST", {}).get(
        "NAME"
    ) in (None, "", ":memory:")


@pytest.mark.skipif(
    _sqlite_in_memory(),
    reason="SQLite's in-memory test database locks tables instead of queueing writers; "
    "test_sqlite_file_database_serialises_writers runs this test on a database file",
)
def test_a_few_threads_serialise_on_sqlite_and_postgresql(_taxonomy, world, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    programme, requests = _scenario(
        world, firms=2, orders_per_firm=2, duplicates=2, budget="300.00"
    )
    outcomes = _run(requests)
    spent, refused = _check(programme, requests, outcomes)
    assert spent == Decimal("300.00")
    assert refused["budget_exhausted"] >= 1


@pytest.mark.skipif(not _sqlite_in_memory(), reason="only from the in-memory SQLite run")
def test_sqlite_file_database_serialises_writers(tmp_path):
    """Run the few-threads test again in a fresh process whose test database is a file."""
    env = {**os.environ, "WEFT_SQLITE_TEST_FILE": str(tmp_path / "race.sqlite3")}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:xdist",
            "--ds",
            "tests.services.sqlite_file_settings",
            f"{__file__}::test_a_few_threads_serialise_on_sqlite_and_postgresql",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert "1 passed" in result.stdout, result.stdout[-3000:] + result.stderr[-3000:]
