"""Directory export as CSV or XLSX, streamed: rows are read in chunks, never all at once.

CSV goes out row by row as it is read (UTF-8 with BOM, so Excel shows Chinese). XLSX is written
by openpyxl's write-only mode to a temporary file (rows go to disk as they come, so memory stays
flat) and then streamed. Text that a spreadsheet would run as a formula (= + - @, tab, CR) is
escaped: a leading apostrophe in CSV, a text cell in XLSX.
"""

import csv
import os
import tempfile
from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from weft.accounts.permissions import can
from weft.core.api import ApiError
from weft.core.params import QueryParams, SearchText
from weft.registry.models import ChainStage, Cluster, ClusterMembership, Enterprise
from weft.registry.selectors import EnterpriseFilters, enterprise_directory

CHUNK = 2000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FIELDS = (
    "id",
    "name_zh",
    "name_en",
    "uscc",
    "address",
    "province",
    "city",
    "county",
    "main_products",
    "employees",
    "size_band",
    "website",
)
# Headers the importer recognises, so an export can be edited and uploaded again.
HEADERS = (
    "编号 id",
    "企业名称",
    "英文名称",
    "统一社会信用代码",
    "地址",
    "省份",
    "城市",
    "区县",
    "主营产品",
    "员工人数",
    "规模",
    "网址",
    "产业链环节",
    "所属集群",
)


class ExportQuery(QueryParams):
    format: str = "xlsx"
    q: SearchText = ""
    cluster: int | None = None
    province: str = ""
    stage: str = ""
    industry_code: str = ""
    certification: str = ""
    size_band: str = ""


def escape(value):
    """Text that starts like a formula gets a leading apostrophe (CSV)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def rows(filters: EnterpriseFilters):
    """Export rows in directory order, with stage and cluster names fetched per chunk."""
    stage_names = dict(ChainStage.objects.values_list("id", "name_zh"))
    cluster_names = dict(Cluster.objects.values_list("id", "name_zh"))
    stage_through = Enterprise.stages.through
    qs = enterprise_directory(filters).values_list(*FIELDS)
    chunk = []
    for row in qs.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield from _with_links(chunk, stage_through, stage_names, cluster_names)
            chunk = []
    if chunk:
        yield from _with_links(chunk, stage_through, stage_names, cluster_names)


def _with_links(chunk, through, stage_names, cluster_names):
    ids = [r[0] for r in chunk]
    stages, clusters = {}, {}
    for eid, sid in through.objects.filter(enterprise_id__in=ids).values_list(
        "enterprise_id", "chainstage_id"
    ):
        stages.setdefault(eid, []).append(stage_names.get(sid, ""))
    for eid, cid in ClusterMembership.objects.filter(
        enterprise_id__in=ids, status=ClusterMembership.Status.APPROVED
    ).values_list("enterprise_id", "cluster_id"):
        clusters.setdefault(eid, []).append(cluster_names.get(cid, ""))
    for r in chunk:
        values = ["" if v is None else v for v in r]
        yield [*values, "、".join(stages.get(r[0], [])), "、".join(clusters.get(r[0], []))]


class _Echo:
    def write(self, value):
        return value


def _csv_stream(filters):
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(HEADERS)
    for row in rows(filters):
        yield writer.writerow([escape(v) for v in row])


def _xlsx_file(filters) -> str:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("企业名录")
    ws.append(list(HEADERS))
    for row in rows(filters):
        cells = []
        for v in row:
            cell = WriteOnlyCell(ws, value=v)
            if isinstance(v, str) and v.startswith(FORMULA_START):
                cell.data_type = "s"  # text, never a formula
            cells.append(cell)
        ws.append(cells)
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    wb.save(path)
    return path


def export_response(user, query: ExportQuery):
    if not can(user, "imports.export_directory"):
        raise PermissionDenied
    if query.format not in ("xlsx", "csv"):
        raise ApiError(422, "invalid_request", _("format must be xlsx or csv."))
    filters = EnterpriseFilters.of(query).check()
    name = f"weft-enterprises-{date.today():%Y%m%d}"
    if query.format == "csv":
        response = StreamingHttpResponse(
            _csv_stream(filters), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    path = _xlsx_file(filters)
    handle = open(path, "rb")  # noqa: SIM115 - FileResponse streams and closes it
    os.unlink(path)
    return FileResponse(handle, as_attachment=True, filename=f"{name}.xlsx")
