"""The upload's look at a workbook: only the shared strings its first rows use, and no walk
through a whole sheet for dimensions it does not declare."""

import io
import zipfile

import openpyxl
import pytest
import xlsxwriter
from django.utils import translation

from weft.imports import services
from weft.imports.models import ImportJob
from weft.imports.parsing import open_table
from weft.imports.workbook import LazyWorkbook
from weft.registry.models import Enterprise

from .files import HEADERS, firm_row, upload
from .test_engine import run_file


def excel_like(rows, headers=HEADERS, rich=False) -> bytes:
    """A workbook written as Excel writes one: text in a shared strings table, dimensions
    declared at the top of the sheet."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("名录")
    sheet.write_row(0, 0, headers)
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, row)
    if rich:
        bold = book.add_format({"bold": True})
        sheet.write_rich_string(len(rows) + 1, 0, "东莞市", bold, "虎门镇", "富民服饰有限公司")
    book.close()
    return out.getvalue()


def streamed(rows, headers=HEADERS) -> bytes:
    """A workbook written in openpyxl's streaming mode: inline text, no declared dimensions."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("名录")
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _path(tmp_path, content: bytes, name="list.xlsx") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def _rows(n):
    return [firm_row(name=f"东莞市虎门镇第{i}制衣有限公司") for i in range(n)]


def test_first_rows_read_only_the_strings_they_use(tmp_path):
    path = _path(tmp_path, excel_like(_rows(2000)))
    lazy = LazyWorkbook(path)
    with lazy as wb:
        top = list(wb.active.iter_rows(min_row=1, max_row=10, values_only=True))
        assert wb.active.max_row == 2001  # the declared dimensions were read
        assert lazy.strings.parsed < 100  # of some 6,000 distinct texts in the file
    assert top[0] == tuple(HEADERS)
    assert top[3][0] == "东莞市虎门镇第2制衣有限公司"
    table = open_table(path, "list.xlsx")
    assert table.total_rows == 2000 and table.preview[0][1][0] == "东莞市虎门镇第0制衣有限公司"


def test_undeclared_dimensions_are_not_searched_for_through_the_sheet(tmp_path):
    path = _path(tmp_path, streamed(_rows(50)))
    with LazyWorkbook(path) as wb:
        assert wb.active.max_row is None  # none declared: openpyxl finds none either
        assert len(list(wb.active.values)) == 51
    table = open_table(path, "list.xlsx")
    assert (table.total_rows, table.headers) == (50, HEADERS)
    assert [cells[0] for _n, cells in table.rows()][-1] == "东莞市虎门镇第49制衣有限公司"


@pytest.mark.parametrize("excel", [True, False], ids=["excel-like", "streamed"])
def test_every_cell_reads_as_openpyxl_reads_it(tmp_path, excel):
    """Escapes, repeated strings, numbers, rich text, a jump far into the strings table."""
    rows = [[f"甲{i}", "同一个" if i % 2 else f"_x005F_x{i}", i] for i in range(300)]
    rows.append(["最后", "甲3", 1.5])
    headers = ["名称", "备注", "数"]
    content = excel_like(rows, headers, rich=True) if excel else streamed(rows, headers)
    path = _path(tmp_path, content)
    expected = list(openpyxl.load_workbook(path, read_only=True).active.values)
    lazy = LazyWorkbook(path)
    with lazy as wb:
        assert list(wb.active.values) == expected
    if excel:
        assert expected[-1][0] == "东莞市虎门镇富民服饰有限公司"
        with pytest.raises(IndexError):
            lazy.strings[10**6]


def _damage_strings_after(content: bytes, keep: int) -> bytes:
    """The same workbook with its shared strings table cut off after `keep` bytes."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/sharedStrings.xml":
                data = data[:keep]
            target.writestr(info, data)
    return out.getvalue()


@pytest.mark.django_db
def test_damaged_strings_fail_at_upload_or_import_with_nothing_written(world):
    content = excel_like(_rows(3000))
    firms = Enterprise.objects.count()
    # Damaged where the header's texts are: the upload is refused.
    with pytest.raises(services.FileRejected) as refused:
        services.create_job(
            user=world.humen_office,
            upload=upload(_damage_strings_after(content, 200)),
            cluster=world.humen,
        )
    assert refused.value.code == "broken_xlsx"
    # Damaged far below the rows shown: found when the import reads the whole table.
    size = len(zipfile.ZipFile(io.BytesIO(content)).read("xl/sharedStrings.xml"))
    with translation.override("en"):
        job = run_file(world, _damage_strings_after(content, size - 5000))
    assert job.status == ImportJob.Status.FAILED and job.error_code == "broken_xlsx"
    assert job.error_message.startswith("The workbook is damaged")
    assert Enterprise.objects.count() == firms and job.created == 0
