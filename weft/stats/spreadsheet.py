"""A round's figures for all its firms as one XLSX: the template to download and the upload.

Columns: USCC, firm name, one per indicator (header "name (unit) [code]"), and a note column whose
text is the reason for every soft-rule warning and correction on that row. An upload is all or
nothing: any error (with its row and column) and nothing is written.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from weft.accounts.permissions import can

from . import aggregation
from .models import ReportingRound, Value
from .services import _missing_reasons, _write
from .validation import check

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
CODE_IN_HEADER = re.compile(r"\[([a-z0-9_]+)\]\s*$")


def template(rnd: ReportingRound) -> bytes:
    """The round's sheet: one row per firm asked, with figures already on file filled in."""
    indicators = list(rnd.indicators.all())
    wb = Workbook()
    ws = wb.active
    ws.title = rnd.period.code
    headers = ["统一社会信用代码 USCC", "企业名称 Firm"]
    headers += [f"{i.name_zh} ({i.unit_zh}) [{i.code}]" for i in indicators]
    headers.append("说明 Note")
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    on_file = {}
    for eid, code, value in Value.objects.filter(
        period=rnd.period, enterprise__in=rnd.firms.all(), indicator__in=indicators
    ).values_list("enterprise_id", "indicator__code", "value"):
        on_file[(eid, code)] = value
    for firm in rnd.firms.order_by("name_sort", "pk"):
        row = [firm.uscc or f"#{firm.pk}", firm.name_zh]
        row += [on_file.get((firm.pk, i.code)) for i in indicators]
        ws.append([*row, ""])
    for col in range(1, len(headers) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 22 if col > 2 else 30
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass
class UploadResult:
    firms: int = 0
    created: int = 0
    revised: int = 0
    errors: list = field(default_factory=list)  # {"row", "column", "message"}


class UploadRejected(ValidationError):
    def __init__(self, errors: list):
        self.errors = errors
        super().__init__([f"{e['row']}/{e['column']}: {e['message']}" for e in errors])


def _error(row, column, message):
    return {"row": row, "column": column, "message": str(message)}


def upload(user, rnd: ReportingRound, data: bytes) -> UploadResult:
    if not can(user, "stats.manage_round", rnd.cluster):
        raise PermissionDenied
    if rnd.status != ReportingRound.Status.OPEN:
        raise UploadRejected([_error(0, "", _("This reporting round is closed."))])
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRejected([_error(0, "", _("The file is larger than 5 MB."))])
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise UploadRejected(
            [_error(0, "", _("This is not an XLSX file. Download the template and fill it in."))]
        ) from None
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    if not rows:
        raise UploadRejected([_error(1, "", _("The sheet is empty."))])
    indicators = {i.code: i for i in rnd.indicators.all()}
    header = rows[0]
    columns, errors = {}, []
    for idx, title in enumerate(header):
        match = CODE_IN_HEADER.search(str(title or ""))
        if idx < 2 or match is None:
            continue
        if match.group(1) not in indicators:
            errors.append(
                _error(
                    1,
                    get_column_letter(idx + 1),
                    _("“%(code)s” is not an indicator of this round.") % {"code": match.group(1)},
                )
            )
        columns[idx] = match.group(1)
    note_col = len(header) - 1 if header and "Note" in str(header[-1] or "") else None
    if not columns and not errors:
        errors.append(_error(1, "", _("No indicator columns found: use the round's template.")))
    firms_by_key = {}
    for firm in rnd.firms.all():
        firms_by_key[firm.uscc or f"#{firm.pk}"] = firm
        firms_by_key[f"#{firm.pk}"] = firm
    plan, seen = [], {}
    for number, row in enumerate(rows[1:], start=2):
        if row is None or all(c is None or str(c).strip() == "" for c in row):
            continue
        key = str(row[0] or "").strip().upper()
        firm = firms_by_key.get(key) or firms_by_key.get(str(row[0] or "").strip())
        if firm is None:
            errors.append(
                _error(
                    number, "A", _("“%(key)s” is not a firm asked in this round.") % {"key": row[0]}
                )
            )
            continue
        if firm.pk in seen:
            errors.append(
                _error(
                    number, "A", _("The firm is already on row %(row)d.") % {"row": seen[firm.pk]}
                )
            )
            continue
        seen[firm.pk] = number
        raw = {code: row[idx] if idx < len(row) else None for idx, code in columns.items()}
        note = (
            str(row[note_col] or "").strip() if note_col is not None and note_col < len(row) else ""
        )
        checked = check(firm, rnd.period, raw, indicators)
        letter = {code: get_column_letter(idx + 1) for idx, code in columns.items()}
        for code, message in checked.errors.items():
            errors.append(_error(number, letter.get(code, ""), message))
        reasons = dict.fromkeys(checked.values, note)
        pending = _missing_reasons(firm, rnd.period, checked, reasons, set(checked.warnings))
        for code, message in pending.items():
            errors.append(
                _error(
                    number,
                    letter.get(code, ""),
                    _("%(message)s Put the reason in the Note column.") % {"message": message},
                )
            )
        if checked.values:
            plan.append((firm, checked, reasons))
    if errors:
        raise UploadRejected(errors)
    result = UploadResult()
    with transaction.atomic():
        for firm, checked, reasons in plan:
            written, changes = _write(
                user, firm, rnd.period, checked, reasons=reasons, via="upload", round=rnd
            )
            aggregation.apply_changes(changes)
            result.firms += 1
            result.created += written.created
            result.revised += written.revised
    return result
