"""Every kind of bad file: a specific message in the user's language, and nothing written."""

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from weft.imports import services
from weft.imports.models import ImportJob
from weft.imports.parsing import FileRejected
from weft.registry.models import Enterprise

from .files import HEADERS, csv_text, docx, firm_row, upload, xlsx, zip_bomb

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def reject(world, content, name="list.xlsx", user=None, lang="en"):
    before = (Enterprise.objects.count(), ImportJob.objects.count())
    with translation.override(lang), pytest.raises(FileRejected) as exc:
        services.create_job(
            user=user or world.humen_office, upload=upload(content, name), cluster=world.humen
        )
    assert (Enterprise.objects.count(), ImportJob.objects.count()) == before
    return exc.value


def accept(world, content, name="list.xlsx"):
    return services.create_job(
        user=world.humen_office, upload=upload(content, name), cluster=world.humen
    )


def test_empty_file(world):
    error = reject(world, b"", "list.csv")
    assert error.code == "empty" and error.message == "The file is empty."
    with translation.override("zh-hans"):
        assert str(reject(world, b"", "list.csv", lang="zh-hans")) == "文件是空的。"
        bomb = reject(world, zip_bomb(), lang="zh-hans")
        assert "出于安全原因拒绝处理" in bomb.message


def test_headers_only(world):
    assert reject(world, xlsx([])).code == "no_rows"
    error = reject(world, csv_text([]).encode(), "list.csv")
    assert error.code == "no_rows" and "no enterprises below it" in error.message


def test_renamed_docx_and_random_bytes(world):
    assert "Word document" in reject(world, docx()).message
    error = reject(world, bytes(range(256)) * 10, "list.xlsx")
    assert error.code == "not_xlsx" and "not an Excel workbook" in error.message


def test_zip_bomb_refused_from_declared_sizes(world):
    error = reject(world, zip_bomb())
    assert error.code == "zip_bomb" and "200 MB" in error.message


def test_file_over_size_limit(world, settings):
    settings.WEFT_IMPORT_MAX_BYTES = 2000
    error = reject(world, xlsx([firm_row() for _ in range(50)]))
    assert error.code == "too_large" and "the limit is 2.0\xa0KB" in error.message


def test_row_limit(world, settings):
    settings.WEFT_IMPORT_MAX_ROWS = 3
    error = reject(world, xlsx([firm_row() for _ in range(4)]))
    assert (
        error.code == "too_many_rows" and "4 rows" in error.message and "at most 3" in error.message
    )
    error = reject(world, csv_text([firm_row() for _ in range(4)]).encode(), "a.csv")
    assert error.code == "too_many_rows"


def _with_dimension(content: bytes, ref: str) -> bytes:
    """The same workbook with its sheet's declared dimension replaced (as some tools write it)."""
    import io
    import re
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(
                    rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), data
                )
                assert n == 1
            z.writestr(info, data)
    return out.getvalue()


def test_row_limit_counts_the_rows_not_the_declared_dimension(world, settings):
    settings.WEFT_IMPORT_MAX_ROWS = 3
    forged = _with_dimension(xlsx([firm_row() for _ in range(6)]), "A1:F2")
    assert (
        openpyxl.load_workbook(__import__("io").BytesIO(forged), read_only=True).active.max_row == 2
    )
    error = reject(world, forged)
    assert error.code == "too_many_rows"
    assert error.message == (
        "The list has at least 6 rows; at most 3 can be imported at once. Split it into parts."
    )
    with translation.override("zh-hans"):
        error = reject(world, forged, lang="zh-hans")
        assert error.message == "名单至少有 6 行，一次最多导入 3 行。请拆分成几个文件后再导入。"
    # Exactly at the limit is accepted, whatever the dimension says.
    job = accept(world, _with_dimension(xlsx([firm_row() for _ in range(3)]), "A1:F900"))
    assert job.total_rows == 3


def test_csv_row_limit_stops_reading_at_the_limit(world, settings):
    settings.WEFT_IMPORT_MAX_ROWS = 3
    big = csv_text([firm_row(uscc="") for _ in range(5000)]).encode("gb18030")
    error = reject(world, big, "list.csv")
    # Counting stopped just past the limit (after the rows scanned for the header) rather than
    # reading all 5,000.
    assert error.code == "too_many_rows" and error.params["n"] <= 10
    assert f"at least {error.params['n']} rows" in error.message
    assert accept(world, csv_text([firm_row() for _ in range(3)]).encode(), "a.csv").total_rows == 3


def test_no_header_row(world):
    error = reject(world, xlsx([["a", "b"]], headers=["foo", "bar"]))
    assert error.code == "no_header" and "foo" in error.message


def test_old_xls_and_binary_csv(world):
    assert reject(world, b"\xd0\xcf\x11\xe0" + b"\x00" * 600, "a.xls").code == "old_excel"
    assert reject(world, b"abc\x00\x01\x02", "a.csv").code == "binary"


def test_csv_neither_utf8_nor_gb18030(world):
    # 0x80 alone is invalid in UTF-8 and a lone lead byte at the end is invalid in GB18030.
    error = reject(world, "企业名称\n".encode() + b"\xff\x80", "a.csv")
    assert error.code == "encoding" and "GB18030" in error.message


def test_upload_into_foreign_cluster_refused(world):
    before = ImportJob.objects.count()
    with pytest.raises(PermissionDenied):
        services.create_job(
            user=world.keqiao_office, upload=upload(xlsx([firm_row()])), cluster=world.humen
        )
    with pytest.raises(PermissionDenied):
        services.create_job(
            user=world.firm_admin, upload=upload(xlsx([firm_row()])), cluster=world.humen
        )
    assert ImportJob.objects.count() == before


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_encodings(world, encoding):
    text = csv_text([firm_row(name="东莞市虎门镇锦绣制衣有限公司")])
    job = accept(world, text.encode(encoding), "list.csv")
    assert job.headers == HEADERS
    assert job.mapping["0"] == "name_zh" and job.mapping["1"] == "uscc"


def test_tabs_and_mixed_line_endings(world):
    rows = [firm_row(name=f"东莞市虎门镇锦{i}制衣有限公司") for i in range(3)]
    text = csv_text(rows, delimiter="\t", newline="\n")
    lines = text.split("\n")
    mixed = lines[0] + "\r\n" + lines[1] + "\r" + lines[2] + "\n" + lines[3] + "\n"
    job = accept(world, mixed.encode("gb18030"), "list.txt")
    assert job.delimiter == "\t" and job.total_rows == 3
    from weft.imports.engine import table_of

    assert [c[0] for _n, c in table_of(job).rows()] == [r[0] for r in rows]


def test_title_row_and_merged_header_cells(world):
    def merge(wb, ws):
        ws.merge_cells("A1:F1")

    content = xlsx([firm_row()], before=[["2025年虎门镇服装企业名录"]], sheet_setup=merge)
    job = accept(world, content)
    assert job.header_row == 2 and job.mapping["0"] == "name_zh"


def test_hidden_sheet_skipped(world):
    def hide(wb, ws):
        hidden = wb.create_sheet("旧名单", 0)
        hidden.append(["企业名称"])
        hidden.append(["不应导入的企业"])
        hidden.sheet_state = "hidden"
        wb.active = 1

    job = accept(world, xlsx([firm_row()], sheet_setup=hide))
    assert job.sheet == "名录"
    assert any("旧名单" in n for n in job.notes)


def test_two_hundred_columns(world):
    headers = HEADERS + [f"备注{i}" for i in range(194)]
    row = firm_row() + [f"x{i}" for i in range(194)]
    job = accept(world, xlsx([row], headers=headers))
    assert len(job.headers) == 200 and len(job.mapping) == 6


def test_synonyms_in_english_and_chinese(world):
    headers = [
        "Company",
        "Credit code",
        "注册地址",
        "Products",
        "Stage",
        "Staff",
        "行业代码",
        "联系人",
        "电话",
    ]
    job = accept(world, xlsx([firm_row() + ["1810", "王", "1"]], headers=headers))
    assert set(job.mapping.values()) == {
        "name_zh",
        "uscc",
        "address",
        "main_products",
        "stages",
        "employees",
        "industry_codes",
        "contact_name",
        "contact_phone",
    }


def test_workbook_readable_by_openpyxl_is_what_we_read(world):
    content = xlsx([firm_row(name="甲制衣有限公司")])
    wb = openpyxl.load_workbook(__import__("io").BytesIO(content), read_only=True)
    assert wb.active["A2"].value == "甲制衣有限公司"


def test_rows_read_fast_unless_the_sheet_holds_formulas(tmp_path):
    """Sheets without formulas are read by calamine, with the same row numbers and cells as
    openpyxl gives (title rows above, blank rows, a first empty column, numbers); a sheet with a
    formula anywhere is read by openpyxl, so the formula itself reaches validation."""
    from dataclasses import replace

    from weft.imports.parsing import open_table

    def sheet(formula: bool):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append([None, "虎门服装企业名录"])
        ws.append([])
        ws.append([None, *HEADERS])
        ws.append([None, *firm_row(name="东莞市虎门镇甲服饰有限公司", employees=50)])
        ws.append([])
        ws.append([None, *firm_row(name="东莞市虎门镇乙服饰有限公司", employees=12.0)])
        if formula:
            ws.append([None, '=CONCAT("东莞","丙")', *firm_row()[1:]])
        path = tmp_path / f"list-{formula}.xlsx"
        wb.save(path)
        return open_table(str(path), path.name)

    plain = sheet(False)
    assert plain.formulas is False and plain.header_row == 3
    fast = list(plain.rows())
    assert fast == list(replace(plain, formulas=True).rows())
    assert [n for n, _cells in fast] == [4, 6]
    assert fast[0][1][1] == "东莞市虎门镇甲服饰有限公司" and fast[1][1][6] == "12"
    with_formula = sheet(True)
    assert with_formula.formulas is True
    assert list(with_formula.rows())[-1][1][1] == '=CONCAT("东莞","丙")'
