"""Real XLSX and CSV files for import tests, built in memory."""

import io
import zipfile

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import new_uscc

HEADERS = ["企业名称", "统一社会信用代码", "地址", "主营产品", "产业链环节", "员工人数"]


def firm_row(
    name="东莞市虎门镇新丽制衣有限公司",
    uscc=None,
    address="广东省东莞市虎门镇连升路8号",
    products="女装",
    stage="成衣制造",
    employees="80",
):
    return [name, uscc if uscc is not None else new_uscc(), address, products, stage, employees]


def firm_row_without_code():
    """A Humen firm listed without its code or products: later rows can match it by name only."""
    return firm_row(
        name="东莞市虎门镇锦衣坊服饰有限公司",
        uscc="",
        address="广东省东莞市虎门镇大宁路3号",
        products=None,
    )


def xlsx(rows, headers=HEADERS, *, before=None, sheet_setup=None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名录"
    for row in before or []:
        ws.append(row)
    ws.append(headers)
    for row in rows:
        ws.append(row)
    if sheet_setup:
        sheet_setup(wb, ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_text(rows, headers=HEADERS, delimiter=",", newline="\r\n") -> str:
    lines = [delimiter.join(headers)] + [
        delimiter.join("" if c is None else str(c) for c in r) for r in rows
    ]
    return newline.join(lines) + newline


def upload(content: bytes, name="list.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def zip_bomb() -> bytes:
    """A real zip whose sheet expands 10 000 times: 200 MB of zeros declared inside."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (200 * 1024 * 1024))
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()
