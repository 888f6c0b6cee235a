"""Opening an uploaded workbook to look at its first rows, without reading all of it.

openpyxl, read-only too, reads two things whole when it opens a workbook: the table of shared
strings (every distinct text of every sheet, which is how Excel stores text), and, where a sheet
does not declare its dimensions (files written in streaming mode, ours included), the whole sheet
in search of them: for a 100,000-row list either is one to two seconds of the upload, which shows
the header and five rows. Here the strings are read only as far as the cells read so far point
into the table (Excel numbers them as it meets them, so the first rows need the first ones), and
the declared dimensions are looked for only before the sheet's data; the rest is read by the
import itself.
"""

from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

_STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"
_DIMENSION_TAG = f"{{{SHEET_MAIN_NS}}}dimension"
_DATA_TAG = f"{{{SHEET_MAIN_NS}}}sheetData"


class SharedStrings:
    """The shared strings table, parsed up to the highest index asked for so far, as openpyxl
    parses it (`openpyxl.reader.strings.read_string_table`)."""

    def __init__(self, source):
        self._source = source
        self._nodes = iterparse(source)
        self._strings: list[str] = []

    @property
    def parsed(self) -> int:
        """How many strings have been read so far."""
        return len(self._strings)

    def __getitem__(self, index: int) -> str:
        while index >= len(self._strings) and self._nodes is not None:
            self._read_next()
        return self._strings[index]  # an index past the table's end: IndexError, as openpyxl

    def _read_next(self) -> None:
        for _event, node in self._nodes:
            if node.tag == _STRING_TAG:
                self._strings.append(Text.from_tree(node).content.replace("x005F_", ""))
                node.clear()
                return
        self.close()

    def close(self) -> None:
        self._nodes = None
        self._source.close()


class _Sheet(ReadOnlyWorksheet):
    def _get_size(self):
        # openpyxl waits for the end of <sheetData> to give up: that is the end of the sheet.
        with self._get_source() as source:
            for _event, element in iterparse(source, events=("start",)):
                if element.tag == _DIMENSION_TAG:
                    dimension = SheetDimension.from_tree(element).boundaries
                    self._min_column, self._min_row, self._max_column, self._max_row = dimension
                    return
                if element.tag == _DATA_TAG:
                    return


class _Reader(ExcelReader):
    strings: SharedStrings | None = None

    def read_strings(self):
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            self.strings = self.shared_strings = SharedStrings(self.archive.open(part.PartName[1:]))

    def read_worksheets(self):
        """openpyxl's, read-only (sheets are not opened, nor their comments, tables, images)."""
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files:
                continue
            if "chartsheet" in rel.Type:
                self.read_chartsheet(sheet, rel)  # it counts in the position of the active sheet
                continue
            ws = _Sheet(self.wb, sheet.name, rel.target, self.shared_strings)
            ws.sheet_state = sheet.state
            self.wb._sheets.append(ws)


class LazyWorkbook:
    """`with LazyWorkbook(path) as wb:` an openpyxl read-only workbook (formulas as written);
    `.strings` is its table of shared strings (None if it has none)."""

    def __init__(self, path: str):
        self._reader = _Reader(path, read_only=True, data_only=False)

    @property
    def strings(self) -> SharedStrings | None:
        return self._reader.strings

    def __enter__(self):
        try:
            self._reader.read()
        except BaseException:
            self.__exit__()
            raise
        return self._reader.wb

    def __exit__(self, *exc) -> None:
        if self._reader.strings is not None:
            self._reader.strings.close()
        self._reader.archive.close()
