"""Statements as XLSX: a programme's ledger, a firm's vouchers, a provider's subsidies."""

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .models import Account, Redemption, Voucher

MONEY_FORMAT = "#,##0.00"


def _sheet(wb, title, header, rows, money_cols=()):
    ws = wb.create_sheet(title[:31])
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for col in money_cols:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = MONEY_FORMAT
    ws.freeze_panes = "A2"
    for i, _h in enumerate(header, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = 18
    return ws


def _book() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def _bytes(wb) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def programme_statement(programme) -> bytes:
    from .ledger import programme_balances

    wb = _book()
    balances = programme_balances(programme)
    _sheet(
        wb,
        _("Balances"),
        [_("Account"), _("Balance (yuan)")],
        [(str(label), balances[kind]) for kind, label in Account.Kind.choices],
        money_cols=(2,),
    )
    rows = []
    for acc in Account.objects.filter(programme=programme).prefetch_related("entries__transaction"):
        for e in acc.entries.all():
            rows.append(
                (
                    e.transaction_id,
                    e.transaction.created_at.replace(tzinfo=None),
                    e.transaction.get_kind_display(),
                    e.transaction.reference,
                    acc.code,
                    acc.get_kind_display(),
                    e.amount if e.amount > 0 else None,
                    -e.amount if e.amount < 0 else None,
                )
            )
    rows.sort(key=lambda r: (r[0], r[4]))
    _sheet(
        wb,
        _("Ledger"),
        [
            _("Transaction"),
            _("Time"),
            _("Kind"),
            _("Reference"),
            _("Account"),
            _("Account kind"),
            _("Debit"),
            _("Credit"),
        ],
        rows,
        money_cols=(7, 8),
    )
    return _bytes(wb)


def firm_statement(firm, programmes) -> bytes:
    wb = _book()
    vouchers = Voucher.objects.filter(firm=firm, programme__in=programmes).select_related(
        "programme", "account"
    )
    _sheet(
        wb,
        _("Vouchers"),
        [_("Voucher"), _("Programme"), _("Amount"), _("Balance"), _("Expires"), _("Status")],
        [
            (
                v.pk,
                v.programme.name_zh,
                v.amount,
                v.account.natural_balance,
                v.expires_on,
                v.get_status_display(),
            )
            for v in vouchers
        ],
        money_cols=(3, 4),
    )
    _redemptions(wb, Redemption.objects.filter(voucher__in=vouchers))
    return _bytes(wb)


def provider_statement(provider, programmes) -> bytes:
    wb = _book()
    _redemptions(wb, Redemption.objects.filter(provider=provider, programme__in=programmes))
    return _bytes(wb)


def _redemptions(wb, qs):
    qs = qs.select_related("programme", "order__service", "order__firm", "provider", "settlement")
    _sheet(
        wb,
        _("Subsidies"),
        [
            _("Order"),
            _("Date"),
            _("Programme"),
            _("Firm"),
            _("Provider"),
            _("Service"),
            _("Order amount"),
            _("Subsidy"),
            _("Firm pays"),
            _("Status"),
            _("Settlement"),
        ],
        [
            (
                r.order_id,
                r.created_at.date(),
                r.programme.name_zh,
                r.order.firm.name_zh,
                r.provider.name_zh,
                r.order.service.title_zh,
                r.order_amount,
                r.subsidy,
                r.order_amount - r.subsidy,
                r.get_status_display(),
                r.settlement.get_status_display() if r.settlement else "",
            )
            for r in qs.order_by("created_at", "id")
        ],
        money_cols=(7, 8, 9),
    )
