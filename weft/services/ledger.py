"""The double-entry ledger of voucher programmes.

Every money movement is one `LedgerTransaction` whose entries sum to zero (debit positive,
credit negative), in yuan to the fen. Entries are never changed or deleted: a correction is a
reversal, a new transaction mirroring the old one. Account balances are cached on `Account`
and updated in the same database transaction; `verify()` recomputes them from the entries.

Where the money of a programme is, at every moment (debit-normal accounts):
    budget + committed + receivable + claimed + paid = funding
and, separately, the entitlements granted to firms: sum(voucher) = entitlement.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from .models import FEN, Account, Entry, LedgerTransaction, VoucherProgramme

K = Account.Kind


class UnbalancedTransaction(ValueError):
    pass


def lock(queryset):
    """Fetch one row for update, holding it until the transaction ends.

    PostgreSQL: a row lock (SELECT … FOR UPDATE). SQLite has no row locks, but Weft opens every
    transaction with BEGIN IMMEDIATE (settings: transaction_mode), which takes the database's
    write lock at once: writers are serialised for the whole transaction, so the reads that follow
    see no concurrent change either way.
    """
    if connection.features.has_select_for_update:
        return queryset.select_for_update().get()
    return queryset.get()


def money(value) -> Decimal:
    """Decimal yuan to the fen; refuses anything finer rather than rounding silently."""
    amount = Decimal(value)
    if amount != amount.quantize(FEN):
        raise ValueError(f"{value} is finer than a fen")
    return amount.quantize(FEN)


def _code(kind, programme, organisation=None, voucher=None) -> str:
    parts = [kind, str(programme.pk)]
    if voucher is not None:
        parts.append(f"v{voucher.pk}")
    elif organisation is not None:
        parts.append(f"o{organisation.pk}")
    return ":".join(parts)


def account(kind: str, programme: VoucherProgramme, *, organisation=None, voucher=None) -> Account:
    """The programme's account of `kind` (per provider or per voucher where the kind says so).

    Called with the programme row locked, so two transactions never race to create one."""
    acc, _ = Account.objects.get_or_create(
        code=_code(kind, programme, organisation, voucher),
        defaults={
            "kind": kind,
            "programme": programme,
            "organisation": organisation if voucher is None else voucher.firm,
            "voucher": voucher,
        },
    )
    return acc


def accounts(programme: VoucherProgramme, *specs) -> list[Account]:
    """Several accounts in one query; specs are (kind, organisation, voucher). Those missing
    are created one by one (rare: the first movement of an account)."""
    codes = [_code(kind, programme, org, voucher) for kind, org, voucher in specs]
    found = {a.code: a for a in Account.objects.filter(code__in=codes)}
    return [
        found.get(code) or account(kind, programme, organisation=org, voucher=voucher)
        for code, (kind, org, voucher) in zip(codes, specs, strict=True)
    ]


def post(
    kind: str,
    programme: VoucherProgramme,
    lines: Iterable[tuple[Account, Decimal]],
    *,
    actor=None,
    memo: str = "",
    reference: str = "",
    reverses: LedgerTransaction | None = None,
) -> LedgerTransaction:
    """Write one balanced transaction and move the cached balances with it."""
    lines = [(acc, money(amount)) for acc, amount in lines if amount]
    if len(lines) < 2:
        raise UnbalancedTransaction("a transaction needs at least two non-zero entries")
    total = sum((amount for _acc, amount in lines), Decimal("0"))
    if total != 0:
        raise UnbalancedTransaction(f"entries sum to {total}, not 0")
    if any(acc.programme_id != programme.pk for acc, _ in lines):
        raise UnbalancedTransaction("every entry must belong to the transaction's programme")
    with transaction.atomic():
        txn = LedgerTransaction.objects.create(
            kind=kind,
            programme=programme,
            memo=memo[:255],
            reference=reference,
            reverses=reverses,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        Entry.objects.bulk_create(
            [Entry(transaction=txn, account=acc, amount=amount) for acc, amount in lines]
        )
        deltas: dict[int, Decimal] = defaultdict(Decimal)
        for acc, amount in lines:
            deltas[acc.pk] += amount
        # In id order, so two transactions touching the same accounts cannot deadlock. The sum
        # is made in Python: SQLite would add decimals as floats.
        moved = [pk for pk in sorted(deltas) if deltas[pk]]
        rows = Account.objects.filter(pk__in=moved).order_by("pk")
        if connection.features.has_select_for_update:
            rows = rows.select_for_update()
        changed = list(rows)
        for acc in changed:
            acc.balance += deltas[acc.pk]
        Account.objects.bulk_update(changed, ["balance"])
    return txn


def reverse(txn: LedgerTransaction, *, actor=None, memo: str = "") -> LedgerTransaction:
    """Undo `txn` by posting its mirror image. A transaction is reversed at most once."""
    lines = [(e.account, -e.amount) for e in txn.entries.select_related("account")]
    return post(
        LedgerTransaction.Kind.REVERSAL,
        txn.programme,
        lines,
        actor=actor,
        memo=memo or f"reversal of T{txn.pk}",
        reference=txn.reference,
        reverses=txn,
    )


def balance(acc: Account) -> Decimal:
    """The account's natural balance, read fresh from the database."""
    acc.refresh_from_db(fields=["balance"])
    return acc.natural_balance


def programme_balances(programme: VoucherProgramme) -> dict[str, Decimal]:
    """Natural balance per account kind, summed over the programme's accounts."""
    out = {kind.value: Decimal("0.00") for kind in K}
    for kind, bal in Account.objects.filter(programme=programme).values_list("kind", "balance"):
        out[kind] += -bal if kind in Account.CREDIT_NORMAL else bal
    return out


@dataclass
class Problem:
    what: str
    detail: str


def verify(programme: VoucherProgramme | None = None) -> list[Problem]:
    """Check the books: every transaction balances, cached balances equal the entries, no
    account is below zero on its natural side, and the programme's money adds up."""
    problems: list[Problem] = []
    txns = LedgerTransaction.objects.all()
    accounts = Account.objects.all()
    if programme is not None:
        txns = txns.filter(programme=programme)
        accounts = accounts.filter(programme=programme)
    # Summed in Python, exactly: SQLite's SUM over decimals works in floating point.
    by_txn: dict[int, Decimal] = defaultdict(Decimal)
    sums: dict[int, Decimal] = defaultdict(Decimal)
    rows = Entry.objects.filter(transaction__in=txns).values_list(
        "transaction_id", "account_id", "amount"
    )
    for txn_id, account_id, amount in rows.iterator(chunk_size=10000):
        by_txn[txn_id] += amount
        sums[account_id] += amount
    for txn_id, total in by_txn.items():
        if total != 0:
            problems.append(Problem("unbalanced", f"T{txn_id} sums to {total}"))
    programmes = set()
    for acc in accounts:
        programmes.add(acc.programme_id)
        if sums.get(acc.pk, Decimal("0")) != acc.balance:
            problems.append(
                Problem(
                    "stale_balance", f"{acc.code}: cached {acc.balance}, entries {sums.get(acc.pk)}"
                )
            )
        if acc.natural_balance < 0:
            problems.append(Problem("negative", f"{acc.code} is {acc.natural_balance}"))
    for prog in VoucherProgramme.objects.filter(pk__in=programmes):
        b = programme_balances(prog)
        spent = b[K.COMMITTED] + b[K.RECEIVABLE] + b[K.CLAIMED] + b[K.PAID]
        if b[K.BUDGET] + spent != b[K.FUNDING]:
            problems.append(Problem("money", f"programme {prog.pk}: accounts do not add up"))
        if spent > prog.budget:
            problems.append(Problem("overspent", f"programme {prog.pk}: {spent} > {prog.budget}"))
        if b[K.VOUCHER] != b[K.ENTITLEMENT]:
            problems.append(Problem("entitlement", f"programme {prog.pk}: vouchers ≠ entitlement"))
    return problems
