"""Events demo: a few months of cluster calendar, news, and the Humen and Dalang brand pages.
Idempotent (looked up by title or cluster)."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from weft.accounts.models import Membership, Organisation
from weft.registry.models import Cluster, ClusterMembership

from .models import BrandLicence, Event, NewsPost, RegionalBrand

# (cluster, kind, title, in days, length in days, place)
EVENTS = [
    ("humen", "exhibition", "中国（虎门）国际服装交易会", 20, 4, "虎门国际会展中心"),
    ("humen", "competition", "“虎门杯”国际女装设计大赛", 35, 1, "虎门服装设计中心"),
    ("humen", "forum", "服装产业数字化转型论坛", 12, 1, "虎门镇政府会议中心"),
    ("humen", "training", "中小企业直播电商实训日", 6, 1, "虎门电商产业园"),
    ("dalang", "competition", "“大朗杯”毛织服装设计大赛", 28, 1, "大朗毛织贸易中心"),
    ("dalang", "exhibition", "中国（大朗）国际毛织产品交易会", 45, 4, "大朗毛织贸易中心"),
    ("keqiao", "exhibition", "中国柯桥国际纺织品面辅料博览会", 40, 3, "柯桥国际会展中心"),
    ("keqiao", "forum", "印染行业绿色发展论坛", 18, 1, "柯桥蓝印时尚小镇"),
]

BRANDS = {
    "humen": (
        "虎门服装",
        "虎门是中国女装名镇。自上世纪八十年代起，虎门从“服装一条街”成长为集设计、生产、批发、"
        "电商于一体的服装产业集群，“虎门服装”集体商标帮助成员企业共同走向国内外市场。",
        "虎门服装",
        "演示-集体商标",
        "25",
    ),
    "dalang": (
        "大朗毛织",
        "大朗被誉为“中国羊毛衫名镇”，毛织企业和配套商户数以万计。集群正在补齐设计短板，"
        "培养毛织设计人才，以“大朗毛织”区域品牌提升产品附加值。",
        "大朗毛织",
        "演示-集体商标",
        "25",
    ),
}


def _at(days: int, hour: int = 9):
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour)))


@transaction.atomic
def load_demo() -> str:
    clusters = {c.slug: c for c in Cluster.objects.filter(slug__in=["humen", "dalang", "keqiao"])}
    if len(clusters) < 3 or any(c.office_id is None for c in clusters.values()):
        return "Events demo: skipped (clusters or their offices missing)."
    for slug, kind, title, in_days, days, place in EVENTS:
        cluster = clusters[slug]
        Event.objects.get_or_create(
            title=title,
            defaults={
                "cluster": cluster,
                "kind": kind,
                "starts_at": _at(in_days),
                "ends_at": _at(in_days + days - 1, 17),
                "entries_close_at": _at(in_days - 7) if kind == "competition" else None,
                "place": place,
                "organiser_id": cluster.office_id,
                "summary": f"{cluster.name_zh}集群活动（演示数据）。",
            },
        )
    operator = Organisation.objects.filter(kind=Organisation.Kind.OPERATOR, is_demo=True).first()
    if operator:
        Event.objects.get_or_create(
            title="全国纺织产业集群工作会议",
            defaults={
                "kind": "forum",
                "starts_at": _at(60),
                "ends_at": _at(61, 17),
                "place": "北京",
                "organiser": operator,
            },
        )
    judge = Membership.objects.filter(user__username="office_humen").select_related("user").first()
    contest = Event.objects.filter(title="“虎门杯”国际女装设计大赛").first()
    if judge and contest:
        contest.judges.add(judge.user)
    for slug, title in (
        ("humen", "虎门服装产业集群人才服务月启动"),
        ("dalang", "大朗发布毛织设计人才扶持计划"),
    ):
        NewsPost.objects.get_or_create(
            title=title,
            defaults={
                "author_org_id": clusters[slug].office_id,
                "cluster": clusters[slug],
                "body": "（演示新闻）集群办公室联合培训机构推出设计、制版等课程，并为企业对接人才。",
                "published_at": timezone.now(),
            },
        )
    for slug, (name, story, mark, number, classes) in BRANDS.items():
        brand, _c = RegionalBrand.objects.get_or_create(
            cluster=clusters[slug],
            defaults={
                "name": name,
                "story": story,
                "trademark": mark,
                "trademark_number": number,
                "trademark_classes": classes,
            },
        )
        members = ClusterMembership.objects.filter(
            cluster=clusters[slug], status=ClusterMembership.Status.APPROVED
        ).select_related("enterprise")[:5]
        for m in members:
            BrandLicence.objects.get_or_create(
                brand=brand,
                enterprise=m.enterprise,
                defaults={
                    "products": m.enterprise.main_products or name,
                    "granted_on": timezone.localdate() - timedelta(days=200),
                },
            )
    return (
        f"Events demo: {Event.objects.count()} events, {NewsPost.objects.count()} news posts, "
        f"{RegionalBrand.objects.count()} regional brands."
    )
