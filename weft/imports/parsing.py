"""Reading uploaded lists: XLSX and CSV (UTF-8, UTF-8 with BOM, GB18030).

An XLSX is checked with openpyxl (read-only). Its rows are read with calamine (Rust, about ten
times faster) unless the worksheet holds formulas: calamine gives a formula's cached value (or
nothing), and a formula must reach validation as the formula, so such sheets are read by openpyxl.

Everything that can be wrong with the file as a whole is found here, before anything is written,
and raised as `FileRejected` with a message in the user's language. Rows come out as lists of
strings (or None), numbered as the spreadsheet numbers them.
"""

import csv
import io
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from weft.core.text import join_list

from .columns import guess_mapping
from .workbook import LazyWorkbook

HEADER_SCAN_ROWS = 10  # a title row or two may sit above the header row
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")  # <row …> with or without a prefix
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")  # a cell's <f>, the formula


class FileRejected(Exception):
    """The file as a whole cannot be imported. `str(exc)` is the message in the active language."""

    def __init__(self, code: str, message, **params):
        self.code, self.message_lazy, self.params = code, message, params
        super().__init__(code)

    @property
    def message(self) -> str:
        return str(self.message_lazy) % self.params if self.params else str(self.message_lazy)

    def __str__(self):
        return self.message


def limits() -> dict:
    return {
        "max_bytes": getattr(settings, "WEFT_IMPORT_MAX_BYTES", 50 * 1024 * 1024),
        "max_rows": getattr(settings, "WEFT_IMPORT_MAX_ROWS", 200_000),
        "max_columns": getattr(settings, "WEFT_IMPORT_MAX_COLUMNS", 256),
        "max_unzipped": getattr(settings, "WEFT_IMPORT_MAX_UNZIPPED_BYTES", 1024 * 1024 * 1024),
        "max_ratio": getattr(settings, "WEFT_IMPORT_MAX_ZIP_RATIO", 200),
    }


def cell_text(value) -> str | None:
    """A cell as text: whole-number floats lose their '.0' (Excel stores 50 as 50.0)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


@dataclass
class Table:
    path: str
    kind: str  # "xlsx" or "csv"
    headers: list[str]
    header_row: int  # 1-based row number of the header row
    total_rows: int  # data rows after the header (blank rows included, an upper bound)
    sheet: str = ""
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)
    preview: list[tuple[int, list]] = field(default_factory=list)
    preview_scanned: int = 0  # data rows already looked at for the preview
    formulas: bool = True  # the worksheet holds a formula somewhere (read it with openpyxl)

    def preview_from(self, top: list[list]) -> None:
        """The first five non-blank data rows among `top`, the rows read to find the header."""
        width = len(self.headers)
        below = top[self.header_row :]
        self.preview_scanned = len(below)
        self.preview = []
        for number, values in enumerate(below, start=self.header_row + 1):
            cells = [cell_text(v) for v in values[:width]]
            if any(c is not None for c in cells):
                self.preview.append((number, cells + [None] * (width - len(cells))))
                if len(self.preview) >= 5:
                    break

    @property
    def mapping(self) -> dict[int, str]:
        return guess_mapping(self.headers)

    def rows(self, after: int = 0) -> Iterator[tuple[int, list]]:
        """(row number, cells) of the non-blank data rows whose number is greater than `after`."""
        start = max(after, self.header_row) + 1
        source = self._xlsx_rows(start) if self.kind == "xlsx" else self._csv_rows(start)
        width = len(self.headers)
        # The limit holds while streaming too: a file changed since its upload stops here.
        last = self.header_row + limits()["max_rows"]
        for number, values in source:
            if number > last:
                raise too_many_rows(number - self.header_row)
            cells = [cell_text(v) for v in values[:width]]
            if any(c is not None for c in cells):
                cells += [None] * (width - len(cells))
                yield number, cells

    # -- XLSX ----------------------------------------------------------------------------------
    def _xlsx_rows(self, start: int):
        if not self.formulas:
            yield from self._calamine_rows(start)
            return
        with LazyWorkbook(self.path) as wb:
            ws = wb[self.sheet]
            yield from enumerate(ws.iter_rows(min_row=start, values_only=True), start=start)

    def _calamine_rows(self, start: int):
        from python_calamine import CalamineError, CalamineWorkbook

        try:
            wb = CalamineWorkbook.from_path(self.path)
            sheet = wb.get_sheet_by_name(self.sheet)
        except CalamineError:
            raise FileRejected(
                "broken_xlsx",
                _("The workbook is damaged and cannot be read. Save it again in Excel."),
            ) from None
        try:
            # calamine's rows begin at the sheet's first row but at its first used column: pad
            # them on the left so that column indexes are the sheet's.
            left = sheet.start[1] if sheet.start else 0
            pad = [None] * left
            for number, values in enumerate(sheet.iter_rows(), start=1):
                if number >= start:
                    yield number, pad + values if left else values
        finally:
            wb.close()

    # -- CSV -----------------------------------------------------------------------------------
    def _csv_rows(self, start: int):
        text = _decode(_read(self.path))[0]
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter)
        for number, values in enumerate(reader, start=1):
            if number >= start:
                yield number, values


def _read(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def _decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first; otherwise GB18030, which contains GBK and GB2312."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise FileRejected(
        "encoding",
        _(
            "The CSV file is neither UTF-8 nor GB18030/GBK text. Save it from Excel as "
            "“CSV UTF-8” or as an .xlsx workbook."
        ),
    )


def open_table(path: str, filename: str = "") -> Table:
    """Check the file and find its header row; raise FileRejected for any file-level problem."""
    lim = limits()
    size = os.path.getsize(path)
    if size == 0:
        raise FileRejected("empty", _("The file is empty."))
    if size > lim["max_bytes"]:
        raise FileRejected(
            "too_large",
            _("The file is %(size)s; the limit is %(limit)s. Split the list into parts."),
            size=filesizeformat(size),
            limit=filesizeformat(lim["max_bytes"]),
        )
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04"):
        table = _open_xlsx(path, lim)
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected(
            "old_excel",
            _("This is an old Excel 97–2003 (.xls) file. Open it in Excel and save it as .xlsx."),
        )
    elif filename.lower().endswith((".xlsx", ".xlsm")):
        raise FileRejected(
            "not_xlsx",
            _("The file is named .xlsx but is not an Excel workbook. Upload the workbook itself."),
        )
    else:
        table = _open_csv(path, lim)
    if len(table.headers) > lim["max_columns"]:
        raise FileRejected(
            "too_many_columns",
            _("The list has %(n)d columns; at most %(limit)d are read."),
            n=len(table.headers),
            limit=lim["max_columns"],
        )
    if len(table.preview) < 5 and table.total_rows > table.preview_scanned:
        # The rows read to find the header did not hold five: read on (the file is opened again).
        table.preview = []
        for number, cells in table.rows():
            table.preview.append((number, cells))
            if len(table.preview) >= 5:
                break
    if not table.preview:
        raise FileRejected("no_rows", _("The file has a header row but no enterprises below it."))
    return table


def too_many_rows(at_least: int) -> FileRejected:
    return FileRejected(
        "too_many_rows",
        _(
            "The list has at least %(n)d rows; at most %(limit)d can be imported at once. "
            "Split it into parts."
        ),
        n=at_least,
        limit=limits()["max_rows"],
    )


def _count_xlsx_rows(path: str, member: str, header_row: int) -> tuple[int, bool]:
    """Rows of the worksheet below the header, counted from its XML as it is decompressed, and
    whether it holds any formula.

    Neither the declared dimension (absent or wrong in many generated files) nor a full parse
    (as slow as the import's own) is used; counting stops as soon as the limit is passed.
    """
    most = header_row + limits()["max_rows"]
    count, tail, formulas = 0, b"", False
    with zipfile.ZipFile(path) as archive, archive.open(member) as xml:
        while chunk := xml.read(1 << 20):
            buffer = tail + chunk
            cut = max(0, len(buffer) - 64)  # a tag cut by the chunk's end is counted next time
            count += sum(1 for m in _ROW_TAG.finditer(buffer) if m.start() < cut)
            formulas = formulas or _FORMULA_TAG.search(buffer) is not None
            tail = buffer[cut:]
            if count > most:
                raise too_many_rows(count - header_row)
        count += len(_ROW_TAG.findall(tail))
    if count > most:
        raise too_many_rows(count - header_row)
    return max(0, count - header_row), formulas


def _check_zip(path: str, lim: dict) -> zipfile.ZipFile:
    """Refuse zip bombs from the sizes the archive declares, before anything is decompressed."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise FileRejected(
            "broken_zip", _("The workbook is damaged (not a readable .xlsx). Save it again.")
        ) from None
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > lim["max_unzipped"] or (
            info.file_size > 10 * 1024 * 1024 and ratio > lim["max_ratio"]
        ):
            archive.close()
            raise FileRejected(
                "zip_bomb",
                _(
                    "The workbook declares %(mb)s MB of content when unpacked, far more than its "
                    "size; it is refused as unsafe."
                ),
                mb=round(total / 1024 / 1024),
            )
    names = set(archive.namelist())
    archive.close()
    if "word/document.xml" in names:
        raise FileRejected(
            "docx", _("This is a Word document renamed to .xlsx, not an Excel workbook.")
        )
    if "xl/workbook.xml" not in names:
        raise FileRejected(
            "not_xlsx", _("This is a zip archive but not an Excel workbook (.xlsx).")
        )
    return archive


def _find_header(rows: list[list]) -> int:
    """Index of the row naming the most known columns (ties: the first)."""
    best, best_score = -1, 0
    for i, row in enumerate(rows):
        score = len(guess_mapping(row))
        if score > best_score:
            best, best_score = i, score
    return best


def _no_header(first: list) -> FileRejected:
    shown = "、".join(str(c) for c in first if c not in (None, ""))[:120]
    return FileRejected(
        "no_header",
        _(
            "No header row recognised in the first %(n)d rows (first row: %(first)s). Name the "
            "columns as in the template, e.g. 企业名称 / name, 统一社会信用代码 / USCC."
        ),
        n=HEADER_SCAN_ROWS,
        first=shown or "—",
    )


def _open_xlsx(path: str, lim: dict) -> Table:
    _check_zip(path, lim)
    damaged = FileRejected(
        "broken_xlsx", _("The workbook is damaged and cannot be read. Save it again in Excel.")
    )
    try:
        with LazyWorkbook(path) as wb:
            visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
            hidden = [ws.title for ws in wb.worksheets if ws.sheet_state != "visible"]
            if not visible:
                raise FileRejected("no_sheet", _("The workbook has no visible worksheet."))
            active = wb.active if wb.active in visible else visible[0]
            top = [
                [cell_text(v) for v in row]
                for row in active.iter_rows(min_row=1, max_row=HEADER_SCAN_ROWS, values_only=True)
            ]
    except FileRejected:
        raise
    except Exception:  # openpyxl raises many kinds for damaged parts
        raise damaged from None
    if not any(any(c is not None for c in row) for row in top):
        raise FileRejected(
            "empty", _("The first visible worksheet “%(s)s” is empty."), s=active.title
        )
    index = _find_header(top)
    if index < 0:
        raise _no_header(top[0])
    headers = _trim(top[index])
    total, formulas = _count_xlsx_rows(path, active._worksheet_path, index + 1)
    notes = []
    if hidden:
        notes.append(str(_("Hidden sheets were skipped: %(names)s")) % {"names": join_list(hidden)})
    table = Table(
        path=path,
        kind="xlsx",
        headers=headers,
        header_row=index + 1,
        total_rows=total,
        sheet=active.title,
        notes=notes,
        formulas=formulas,
    )
    table.preview_from(top)
    return table


def _trim(header: list) -> list[str]:
    """Header cells as text, without the empty columns after the last named one."""
    cells = [c if c is not None else "" for c in header]
    while cells and not cells[-1]:
        cells.pop()
    return [str(c) for c in cells]


def _open_csv(path: str, lim: dict) -> Table:
    data = _read(path)
    if b"\x00" in data[:4096]:
        raise FileRejected(
            "binary",
            _("The file is neither an Excel workbook (.xlsx) nor a CSV text file."),
        )
    text, encoding = _decode(data)
    if not text.strip():
        raise FileRejected("empty", _("The file is empty."))
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        top = [
            [cell_text(v) for v in row]
            for _i, row in zip(range(HEADER_SCAN_ROWS), reader, strict=False)
        ]
        index = _find_header(top)
        if index < 0:
            raise _no_header(top[0] if top else [])
        # Counted as read, stopping once past the limit.
        most = index + 1 + lim["max_rows"]
        total = len(top)
        for _row in reader:
            total += 1
            if total > most:
                raise too_many_rows(total - index - 1)
    except csv.Error as exc:
        raise FileRejected(
            "bad_csv", _("The CSV file cannot be read: %(error)s"), error=str(exc)
        ) from None
    if total > most:
        raise too_many_rows(total - index - 1)
    table = Table(
        path=path,
        kind="csv",
        headers=_trim(top[index]),
        header_row=index + 1,
        total_rows=max(0, total - index - 1),
        encoding=encoding,
        delimiter=delimiter,
    )
    table.preview_from(top)
    return table
