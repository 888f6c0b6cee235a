"""The ledger: balanced transactions only, append-only entries, reversals, verify()."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from weft.services import ledger
from weft.services.models import Account, Entry, LedgerTransaction

from .conftest import grant

pytestmark = pytest.mark.django_db
K = Account.Kind


def test_funding_puts_the_budget_in_the_books(market):
    b = ledger.programme_balances(market.programme)
    assert b[K.BUDGET] == b[K.FUNDING] == Decimal("1000.00")
    assert ledger.verify() == []


def test_unbalanced_transaction_is_refused_and_nothing_is_written(market):
    p = market.programme
    before = Entry.objects.count()
    with pytest.raises(ledger.UnbalancedTransaction, match="sum to 0.01"):
        ledger.post(
            "fund",
            p,
            [
                (ledger.account(K.BUDGET, p), Decimal("10.01")),
                (ledger.account(K.FUNDING, p), Decimal("-10.00")),
            ],
        )
    with pytest.raises(ledger.UnbalancedTransaction, match="two"):
        ledger.post("fund", p, [(ledger.account(K.BUDGET, p), Decimal("1.00"))])
    assert Entry.objects.count() == before
    assert ledger.verify() == []


def test_amounts_finer_than_a_fen_are_refused(market):
    p = market.programme
    with pytest.raises(ValueError, match="finer than a fen"):
        ledger.post(
            "fund",
            p,
            [
                (ledger.account(K.BUDGET, p), Decimal("0.005")),
                (ledger.account(K.FUNDING, p), Decimal("-0.005")),
            ],
        )


def test_entries_cannot_be_changed_or_deleted(market):
    entry = Entry.objects.first()
    entry.amount = Decimal("1.00")
    with pytest.raises(TypeError, match="append-only"):
        entry.save()
    with pytest.raises(TypeError, match="append-only"):
        entry.delete()
    with pytest.raises(TypeError, match="append-only"):
        Entry.objects.filter(pk=entry.pk).update(amount=Decimal("2.00"))
    with pytest.raises(TypeError, match="append-only"):
        LedgerTransaction.objects.all().delete()


def test_database_refuses_updates_of_entries_behind_the_models_back(market):
    entry = Entry.objects.first()
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as c,
    ):
        c.execute("UPDATE services_entry SET amount = 5 WHERE id = %s", [entry.pk])
    assert Entry.objects.get(pk=entry.pk).amount == entry.amount


def test_reversal_mirrors_and_happens_once(market):
    voucher = grant(market, "200.00")
    txn = LedgerTransaction.objects.get(kind="grant", reference=f"voucher:{voucher.pk}")
    rev = ledger.reverse(txn)
    assert sorted(e.amount for e in rev.entries.all()) == sorted(
        -e.amount for e in txn.entries.all()
    )
    assert ledger.balance(voucher.account) == Decimal("0.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        ledger.reverse(txn)
    assert ledger.verify() == []


def test_verify_finds_a_stale_cached_balance(market):
    acc = ledger.account(K.BUDGET, market.programme)
    Account.objects.filter(pk=acc.pk).update(balance=Decimal("999.99"))
    kinds = {p.what for p in ledger.verify(market.programme)}
    assert "stale_balance" in kinds and "money" in kinds
