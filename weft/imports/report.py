"""Workbooks handed back to users: the error report of an import and the blank template."""

import os
import tempfile
from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from weft.registry.models import Certification, ChainStage, IndustryCode

from .columns import COLUMNS
from .engine import table_of
from .models import ImportJob
from .validation import message

ERROR_FILL = PatternFill("solid", fgColor="FDE2E1")
BOLD = Font(bold=True)


def _text(ws, value):
    """A cell that is always text: a value starting with = stays what the user typed."""
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


def error_report(job: ImportJob) -> str:
    """The uploaded rows with an error column, as an XLSX file path (a temporary file).

    Every row comes back, so the fixed file can be uploaded whole: rows already imported
    resolve to the same firms and change nothing.
    """
    errors = defaultdict(list)
    for e in job.row_errors.all():
        errors[e.row].append(message(e.code, {**e.params, "field": e.field, "column": e.column}))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(job.sheet or "list")
    header = [_text(ws, h) for h in job.headers]
    title = WriteOnlyCell(ws, value=_("Errors"))
    title.font = BOLD
    ws.append([*header, title])
    width = len(job.headers)
    for number, cells in table_of(job).rows():
        row = [_text(ws, c) for c in cells[:width]]
        problems = errors.get(number)
        if problems:
            note = WriteOnlyCell(ws, value="；".join(problems))
            note.fill = ERROR_FILL
            row.append(note)
        ws.append(row)
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    wb.save(path)
    return path


def template_workbook(path: str) -> None:
    """The list template: the columns on the first sheet, the allowed values on the second."""
    wb = Workbook()
    ws = wb.active
    ws.title = pgettext("worksheet name", "Enterprises")
    # Header only: an example row would be imported by whoever forgets to delete it.
    ws.append([c.synonyms[0] for c in COLUMNS])
    for cell in ws[1]:
        cell.font = BOLD
    ws.freeze_panes = "A2"
    values = wb.create_sheet(_("Allowed values"))
    values.append([_("Chain stage"), "中文", "English"])
    for s in ChainStage.objects.all():
        values.append([s.code, s.name_zh, s.name_en])
    values.append([])
    values.append([_("Industry code"), "中文", "English"])
    for c in IndustryCode.objects.all():
        values.append([c.code, c.name_zh, c.name_en])
    values.append([])
    values.append([_("Certifications"), "中文", "English"])
    for c in Certification.objects.all():
        values.append([c.code, c.name_zh, c.name_en])
    wb.save(path)
