"""Talent demo data: courses, jobs and profiles that make Dalang's design shortage visible.

Dalang's firms post many designer openings while few designers keep a profile there, so the
cluster's talent dashboard and `selectors.design_shortage` show the shortage from the data itself.
Idempotent: everything is looked up by a fixed key before it is created.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from weft.accounts.models import Organisation, User
from weft.registry.identifiers import make_uscc
from weft.registry.models import Cluster, ClusterMembership, Enterprise
from weft.registry.naming import name_keys

from .models import Application, Course, Job, Role, TalentProfile

# (cluster slug, role, title, openings, pay from, pay to)
JOBS = [
    ("dalang", Role.DESIGNER, "毛织服装设计师", 4, "9000", "16000"),
    ("dalang", Role.DESIGNER, "针织女装设计师", 3, "8000", "14000"),
    ("dalang", Role.DESIGNER, "毛衫花型设计师", 3, "7000", "12000"),
    ("dalang", Role.DESIGNER, "设计助理", 2, "5000", "7000"),
    ("dalang", Role.PATTERN_MAKER, "毛织制版师", 2, "7000", "11000"),
    ("dalang", Role.KNITTING_TECHNICIAN, "电脑横机挡车工", 3, "6000", "9000"),
    ("dalang", Role.MERCHANDISER, "外贸跟单员", 1, "6000", "9000"),
    ("humen", Role.DESIGNER, "女装设计师", 2, "8000", "15000"),
    ("humen", Role.PATTERN_MAKER, "女装纸样师", 2, "7000", "12000"),
    ("humen", Role.SEWING_TECHNICIAN, "车板师傅", 4, "6000", "9000"),
    ("humen", Role.ECOMMERCE_OPERATOR, "直播电商运营", 2, "6000", "10000"),
    ("keqiao", Role.DYEING_ENGINEER, "印染工艺工程师", 2, "9000", "15000"),
    ("keqiao", Role.MERCHANDISER, "面料跟单", 2, "6000", "9000"),
]

# (username, name, cluster, role, years, skills, visibility)
PEOPLE = [
    (
        "demo_designer_dl1",
        "陈思雨",
        "dalang",
        Role.DESIGNER,
        6,
        "毛衫设计, 花型, Illustrator",
        "public",
    ),
    ("demo_designer_dl2", "黄嘉欣", "dalang", Role.DESIGNER, 2, "针织女装, 手绘", "cluster"),
    (
        "demo_knit_dl1",
        "李建国",
        "dalang",
        Role.KNITTING_TECHNICIAN,
        12,
        "电脑横机, 岛精, 调机",
        "public",
    ),
    (
        "demo_knit_dl2",
        "王海涛",
        "dalang",
        Role.KNITTING_TECHNICIAN,
        8,
        "斯托尔横机, 工艺单",
        "cluster",
    ),
    ("demo_knit_dl3", "刘秀兰", "dalang", Role.KNITTING_TECHNICIAN, 5, "套口, 手摇横机", "public"),
    ("demo_pattern_dl1", "张伟", "dalang", Role.PATTERN_MAKER, 10, "毛织制版, 工艺计算", "cluster"),
    ("demo_merch_dl1", "郑晓敏", "dalang", Role.MERCHANDISER, 4, "外贸跟单, 英语", "hidden"),
    ("demo_designer_hm1", "林美玲", "humen", Role.DESIGNER, 7, "女装, 立体裁剪, CLO 3D", "public"),
    ("demo_designer_hm2", "何俊", "humen", Role.DESIGNER, 3, "童装, 图案", "cluster"),
    (
        "demo_pattern_hm1",
        "吴志强",
        "humen",
        Role.PATTERN_MAKER,
        15,
        "服装CAD, 推板, 富怡",
        "public",
    ),
    ("demo_sewing_hm1", "周桂芳", "humen", Role.SEWING_TECHNICIAN, 9, "车板, 样衣", "public"),
    (
        "demo_dye_kq1",
        "孙立平",
        "keqiao",
        Role.DYEING_ENGINEER,
        11,
        "活性染料, 打样, 节能减排",
        "public",
    ),
]

COURSES = [
    (
        "humen",
        "服装数字化设计（CLO 3D）",
        "服装设计",
        Course.Level.INTERMEDIATE,
        14,
        3,
        "on_site",
        "虎门镇服装技术创新中心",
        30,
        "1200.00",
        True,
    ),
    (
        "dalang",
        "毛织设计师成长班",
        "毛织设计",
        Course.Level.BEGINNER,
        21,
        5,
        "on_site",
        "大朗毛织贸易中心培训室",
        40,
        "800.00",
        True,
    ),
    (
        "dalang",
        "电脑横机编程基础",
        "横机工艺",
        Course.Level.BEGINNER,
        10,
        2,
        "online",
        "",
        100,
        "0.00",
        False,
    ),
    (
        "keqiao",
        "印染企业节能减排实务",
        "绿色印染",
        Course.Level.ADVANCED,
        30,
        1,
        "on_site",
        "柯桥区纺织产业创新中心",
        25,
        "600.00",
        False,
    ),
]


def _demo_firms(cluster: Cluster, n: int = 3) -> list[Enterprise]:
    firms = list(
        Enterprise.objects.filter(
            is_demo=True,
            cluster_memberships__cluster=cluster,
            cluster_memberships__status=ClusterMembership.Status.APPROVED,
        ).order_by("id")[:n]
    )
    for i in range(len(firms), n):  # a bare database (tests): make the firms the jobs need
        name = f"{cluster.name_zh}演示{i + 1}号服饰有限公司"
        firm, _created = Enterprise.objects.get_or_create(
            uscc=make_uscc("9", "1", cluster.adcode, f"MT{cluster.pk:03d}{i:03d}"[:8]),
            defaults={
                "name_zh": name,
                **name_keys(name, cluster.adcode),
                "province": cluster.province,
                "adcode": cluster.adcode,
                "is_demo": True,
                "source": Enterprise.Source.DEMO,
            },
        )
        ClusterMembership.objects.get_or_create(
            enterprise=firm, cluster=cluster, defaults={"status": ClusterMembership.Status.APPROVED}
        )
        firms.append(firm)
    return firms


def _person(username: str, name: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=name, email=f"{username}@example.com")
        user.set_unusable_password()  # demo people are data, not logins
        user.save()
    return user


@transaction.atomic
def load_demo() -> str:
    clusters = {c.slug: c for c in Cluster.objects.filter(slug__in=["dalang", "humen", "keqiao"])}
    if len(clusters) < 3:
        return "Talent demo: skipped (clusters not loaded)."
    today = timezone.localdate()
    firms = {slug: _demo_firms(c) for slug, c in clusters.items()}
    jobs = []
    for i, (slug, role, title, openings, low, high) in enumerate(JOBS):
        firm = firms[slug][i % len(firms[slug])]
        job, _c = Job.objects.get_or_create(
            enterprise=firm,
            title=title,
            defaults={
                "cluster": clusters[slug],
                "role": role,
                "openings": openings,
                "pay_min": Decimal(low),
                "pay_max": Decimal(high),
                "place": f"{clusters[slug].prefecture}{clusters[slug].town or clusters[slug].county}",
                "description": "演示岗位。",
            },
        )
        jobs.append(job)
    profiles = []
    for username, name, slug, role, years, skills, visibility in PEOPLE:
        user = _person(username, name)
        profile, _c = TalentProfile.objects.get_or_create(
            user=user,
            defaults={
                "name": name,
                "role": role,
                "experience_years": years,
                "skills": skills,
                "cluster": clusters[slug],
                "visibility": visibility,
                "headline": f"{clusters[slug].name_zh} · {Role(role).label}",
                "is_demo": True,
            },
        )
        profiles.append(profile)
    # The two Dalang designers applied to the biggest designer opening.
    for profile in profiles[:2]:
        Application.objects.get_or_create(job=jobs[0], profile=profile)
    provider = Organisation.objects.filter(
        kind=Organisation.Kind.SERVICE_PROVIDER, is_demo=True
    ).first()
    for slug, title, topic, level, in_days, days, mode, place, seats, fee, voucher in COURSES:
        org = clusters[slug].office or provider
        if org is None:
            continue
        Course.objects.get_or_create(
            title=title,
            defaults={
                "provider": org,
                "cluster": clusters[slug],
                "topic": topic,
                "level": level,
                "starts_on": today + timedelta(days=in_days),
                "ends_on": today + timedelta(days=in_days + days - 1),
                "mode": mode,
                "place": place,
                "seats": seats,
                "fee": Decimal(fee),
                "voucher_covered": voucher,
            },
        )
    from .selectors import design_shortage

    s = design_shortage(clusters["dalang"])
    return (
        f"Talent demo: {Job.objects.count()} jobs, {TalentProfile.objects.count()} profiles, "
        f"{Course.objects.count()} courses; Dalang designers: {s.openings} posts, "
        f"{s.candidates} people (shortage: {'yes' if s.is_shortage else 'no'})."
    )
