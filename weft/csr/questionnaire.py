"""The social responsibility self-assessment, structured like the areas of CSC9000T.

The questionnaire is data: areas, their questions, and whether a question needs an evidence file
(a contract template, a payroll extract, a fire drill record…). Codes are stable; texts bilingual.
"""

from dataclasses import dataclass

from django.utils.translation import get_language


@dataclass(frozen=True)
class Question:
    code: str
    zh: str
    en: str
    evidence: str = ""  # what file proves it; empty = no file expected

    @property
    def text(self) -> str:
        return self.en if (get_language() or "").startswith("en") else self.zh

    @property
    def needs_evidence(self) -> bool:
        return bool(self.evidence)


@dataclass(frozen=True)
class Area:
    code: str
    zh: str
    en: str
    questions: tuple[Question, ...]

    @property
    def name(self) -> str:
        return self.en if (get_language() or "").startswith("en") else self.zh


def _q(code, zh, en, evidence=""):
    return Question(code, zh, en, evidence)


AREAS: tuple[Area, ...] = (
    Area(
        "management_system",
        "管理体系",
        "Management system",
        (
            _q(
                "ms1",
                "企业制定了书面的社会责任方针并由负责人签署",
                "A written social responsibility policy is signed by the head of the firm",
                "policy",
            ),
            _q(
                "ms2",
                "指定了负责社会责任事务的管理者代表",
                "A manager is appointed to be responsible for social responsibility",
            ),
        ),
    ),
    Area(
        "labour_contracts",
        "劳动合同",
        "Labour contracts",
        (
            _q(
                "lc1",
                "所有员工均签订书面劳动合同",
                "Every worker has a written labour contract",
                "contract template",
            ),
            _q("lc2", "员工持有本人劳动合同文本", "Workers keep a copy of their own contract"),
        ),
    ),
    Area(
        "child_labour",
        "童工和未成年工",
        "Child and juvenile workers",
        (
            _q(
                "cj1",
                "入职时核验身份证件，不雇用未满16周岁人员",
                "Identity is checked at hiring; nobody under 16 is employed",
                "hiring check record",
            ),
            _q(
                "cj2",
                "未成年工不从事有毒有害或夜班工作",
                "Juvenile workers do no hazardous work and no night shifts",
            ),
        ),
    ),
    Area(
        "forced_labour",
        "强迫或强制劳动",
        "Forced labour",
        (
            _q(
                "fl1",
                "不扣押员工身份证件、押金或工资",
                "No identity papers, deposits or wages are withheld",
            ),
            _q("fl2", "员工可依法自由辞职", "Workers may resign freely as the law provides"),
        ),
    ),
    Area(
        "working_hours",
        "工作时间",
        "Working hours",
        (
            _q(
                "wh1",
                "考勤记录完整，加班自愿且不超过法定上限",
                "Attendance is recorded; overtime is voluntary and within the legal limit",
                "attendance records",
            ),
            _q("wh2", "员工每周至少休息一天", "Workers have at least one day off a week"),
        ),
    ),
    Area(
        "wages_benefits",
        "工资和福利",
        "Wages and benefits",
        (
            _q(
                "wb1",
                "工资不低于当地最低工资标准并按时足额支付",
                "Wages meet the local minimum and are paid in full and on time",
                "payroll extract",
            ),
            _q(
                "wb2",
                "依法缴纳社会保险",
                "Social insurance is paid as the law requires",
                "social insurance receipt",
            ),
        ),
    ),
    Area(
        "health_safety",
        "职业健康与安全",
        "Health and safety",
        (
            _q(
                "hs1",
                "定期开展消防演练并保持安全通道畅通",
                "Fire drills are held and escape routes kept clear",
                "fire drill record",
            ),
            _q("hs2", "为员工配备合适的劳动防护用品", "Workers have suitable protective equipment"),
        ),
    ),
    Area(
        "discrimination",
        "歧视",
        "Discrimination",
        (
            _q(
                "di1",
                "招聘、薪酬和晋升不因性别、民族、户籍等区别对待",
                "Hiring, pay and promotion do not depend on sex, ethnicity or household registration",
            ),
            _q(
                "di2",
                "女职工享有孕期、产期和哺乳期保护",
                "Women workers are protected in pregnancy, maternity and nursing",
            ),
        ),
    ),
    Area(
        "harassment_abuse",
        "骚扰和虐待",
        "Harassment and abuse",
        (
            _q(
                "ha1",
                "制定了禁止骚扰和虐待的制度并有投诉渠道",
                "A rule forbids harassment and abuse, with a way to complain",
                "anti-harassment rule",
            ),
            _q("ha2", "不以罚款作为纪律处分手段", "Fines are not used as discipline"),
        ),
    ),
    Area(
        "freedom_of_association",
        "结社自由和集体谈判权",
        "Freedom of association",
        (
            _q(
                "fa1",
                "员工可依法组建和参加工会",
                "Workers may form and join a trade union as the law provides",
            ),
            _q(
                "fa2",
                "定期召开职工代表大会或开展集体协商",
                "A workers' congress or collective consultation is held regularly",
                "meeting minutes",
            ),
        ),
    ),
    Area(
        "environment",
        "环境保护",
        "Environment",
        (
            _q(
                "en1",
                "持有有效的排污许可证并按证排污",
                "A valid discharge permit is held and followed",
                "discharge permit",
            ),
            _q(
                "en2",
                "记录能源和水资源消耗并设定节约目标",
                "Energy and water use are recorded with saving targets",
            ),
        ),
    ),
    Area(
        "fair_competition",
        "公平竞争",
        "Fair competition",
        (
            _q(
                "fc1",
                "制定反商业贿赂制度",
                "A rule against commercial bribery is in place",
                "anti-bribery rule",
            ),
            _q(
                "fc2",
                "尊重知识产权，不使用侵权面料和设计",
                "Intellectual property is respected; no infringing fabrics or designs",
            ),
        ),
    ),
)

QUESTIONS: dict[str, Question] = {q.code: q for a in AREAS for q in a.questions}
AREA_OF: dict[str, str] = {q.code: a.code for a in AREAS for q in a.questions}
AREA_BY_CODE: dict[str, Area] = {a.code: a for a in AREAS}
