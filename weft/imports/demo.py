"""Demo data: one finished import by the Humen cluster office, with errors and a match to review."""

import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from weft.registry.models import Cluster, Enterprise

from . import engine, services
from .models import ImportJob
from .testset import TYPOS

HEADERS = ["企业名称", "统一社会信用代码", "地址", "主营产品", "产业链环节", "员工人数"]


def _workbook(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "虎门镇企业名录"
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def load_demo() -> str:
    if ImportJob.objects.exists():
        return "Imports: demo import already present."
    user = get_user_model().objects.filter(username="office_humen").first()
    humen = Cluster.objects.filter(slug="humen").first()
    if user is None or humen is None:
        return "Imports: no Humen office account; demo import skipped."
    # A member firm the list spells slightly differently: a potential match for a person.
    known = (
        Enterprise.objects.filter(clusters=humen, is_demo=True, name_zh__startswith="东莞市虎门镇")
        .exclude(address="")
        .first()
    )
    rows = [
        [
            "东莞市虎门镇示范织梦服饰有限公司",
            "",
            "广东省东莞市虎门镇银龙路18号",
            "女装、连衣裙",
            "成衣制造",
            45,
        ],
        [
            "东莞市虎门镇示范云裳制衣有限公司",
            "",
            "广东省东莞市虎门镇连升路66号",
            "礼服",
            "成衣制造",
            120,
        ],
        ["东莞市虎门镇示范锦程辅料行", "", "广东省东莞市虎门镇大宁路9号", "纽扣、拉链", "辅料", -3],
        [
            "东莞市虎门镇示范华彩印花厂",
            "91441900MA0000000X",
            "广东省东莞市虎门镇太沙路2号",
            "数码印花",
            "印花",
            30,
        ],
    ]
    if known is not None:
        # One character mistyped, as lists often have it (绣 for 秀): close, but for a person.
        i = next((i for i, ch in enumerate(known.name_zh) if ch in TYPOS and i >= 6), None)
        if i is not None:
            name = known.name_zh[:i] + TYPOS[known.name_zh[i]] + known.name_zh[i + 1 :]
            rows.append([name, "", known.address, known.main_products, "", ""])
    job = services.create_job(
        user=user, upload=SimpleUploadedFile("虎门镇企业名录.xlsx", _workbook(rows)), cluster=humen
    )
    services.start_job(user=user, job=job, system=True)
    job = engine.run(job)
    return (
        f"Imports: demo list imported by office_humen ({job.created} new, {job.merged} merged, "
        f"{job.pending} to review, {job.rejected} rows with errors)."
    )
