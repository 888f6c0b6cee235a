"""The demo organisations and logins that `make run` sets up (`manage.py setup_demo`).

Every object is looked up before it is created, so running the setup again changes nothing, and
an object deleted since (say by `generate_demo --replace`) comes back. Firms are claimed and the
pending join request is made through the same services a person's clicks go through.
"""

from dataclasses import dataclass

from django.db import transaction

from weft.accounts.models import Membership, Organisation, User
from weft.registry import services
from weft.registry.identifiers import make_uscc
from weft.registry.models import Cluster, ClusterMembership, Enterprise
from weft.registry.taxonomy import load_clusters

# Demo data only: printed by `manage.py demo_logins` and in the README.
DEMO_PASSWORD = "weft-demo-2026"  # noqa: S105
OPERATOR_ORG = ("中国纺织信息中心 (demo)", "China Textile Information Centre (demo)")
PROVIDER_ORG = ("华纺纺织品检测中心 (demo)", "Huafang Textile Testing Centre (demo)")
# A firm that has just registered and asked to join Humen: the office has a request to decide.
APPLICANT = {
    "uscc": make_uscc("9", "1", "441900", "MA5DEMX1"),
    "name_zh": "东莞市虎门镇新锦程服饰有限公司",
    "name_en": "Dongguan Humen Xinjincheng Apparel Co., Ltd.",
    "address": "广东省东莞市虎门镇连升路88号",
    "main_products": "女装、连衣裙",
    "employees": 12,
    "founded_year": 2025,
    "stages": ["garment_making"],
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    display_name: str
    role: str  # what the person does in Weft, in English; shown by demo_logins
    membership_role: str


LOGINS = [
    DemoLogin(
        "operator", "演示运营人员", "operator (national information centre); also /admin/", "owner"
    ),
    DemoLogin("office_humen", "虎门集群办公室", "cluster office admin, Humen", "admin"),
    DemoLogin("office_keqiao", "柯桥集群办公室", "cluster office admin, Keqiao", "admin"),
    DemoLogin("firm_humen", "虎门制衣企业主", "enterprise owner, a Humen garment firm", "owner"),
    DemoLogin("firm_keqiao", "柯桥织造企业主", "enterprise owner, a Keqiao weaving firm", "owner"),
    DemoLogin(
        "firm_applicant", "新企业主", "enterprise owner, a new firm waiting to join Humen", "owner"
    ),
    DemoLogin("provider_lab", "检测中心负责人", "service provider owner, a testing lab", "owner"),
]


def office_name(cluster: Cluster) -> tuple[str, str]:
    return f"{cluster.name_zh}产业集群管理办公室", f"{cluster.name_en} Office"


def _user(login: DemoLogin) -> User:
    user = User.objects.filter(username=login.username).first()
    if user is None:
        user = User(
            username=login.username,
            display_name=login.display_name,
            email=f"{login.username}@example.com",
        )
        if login.username == "operator":
            user.is_staff = user.is_superuser = True  # the operator works in /admin/ too
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _org(kind: str, name_zh: str, name_en: str, **extra) -> Organisation:
    org = Organisation.objects.filter(kind=kind, name_zh=name_zh).first()
    if org is None:
        org = Organisation.objects.create(
            kind=kind, name_zh=name_zh, name_en=name_en, is_demo=True, **extra
        )
    return org


def _member(user: User, org: Organisation, role: str) -> None:
    Membership.objects.get_or_create(user=user, organisation=org, defaults={"role": role})


def _owned_firm_org(user: User) -> Organisation | None:
    membership = (
        Membership.objects.filter(user=user, organisation__kind=Organisation.Kind.ENTERPRISE)
        .select_related("organisation")
        .first()
    )
    return membership.organisation if membership else None


def _claim(user: User, cluster: Cluster, stage: str) -> Organisation | None:
    """The user is made owner of a demo firm of `cluster` at `stage` that nobody speaks for, as
    its cluster office would (`services.confirm_owner`)."""
    org = _owned_firm_org(user)
    if org is not None:
        return org
    firm = (
        Enterprise.objects.filter(
            is_demo=True,
            organisation__isnull=True,
            legal_form=Enterprise.LegalForm.LIMITED,
            cluster_memberships__cluster=cluster,
            cluster_memberships__status=ClusterMembership.Status.APPROVED,
            stages__code=stage,
        )
        .order_by("id")
        .first()
    )
    if firm is None:
        return None
    org = services.give_firm(enterprise=firm, owner=User.objects.get(pk=user.pk), actor=None)
    Organisation.objects.filter(pk=org.pk).update(is_demo=True)
    return org


def _applicant(user: User, humen: Cluster) -> None:
    if _owned_firm_org(user) is not None:
        return
    user = User.objects.get(pk=user.pk)
    existing = Enterprise.objects.filter(uscc=APPLICANT["uscc"], organisation__isnull=True).first()
    if existing is not None:  # the firm is there already (from a list): handed over to them
        org = services.give_firm(enterprise=existing, owner=user, actor=None)
    else:
        org = services.register_enterprise(user=user, data=dict(APPLICANT), cluster=humen)
    Organisation.objects.filter(pk=org.pk).update(is_demo=True)
    Enterprise.objects.filter(pk=org.enterprise_id).update(is_demo=True)
    membership = ClusterMembership.objects.filter(enterprise_id=org.enterprise_id, cluster=humen)
    if not membership.exists():
        services.request_membership(
            user=User.objects.get(pk=user.pk), enterprise=org.enterprise, cluster=humen
        )


@transaction.atomic
def setup_demo_accounts() -> dict[str, Organisation | None]:
    """Create what is missing of the demo organisations and logins; return each login's organisation."""
    if not Cluster.objects.exists():
        load_clusters()
    clusters = {c.slug: c for c in Cluster.objects.all()}
    for cluster in clusters.values():
        name_zh, name_en = office_name(cluster)
        office = _org(Organisation.Kind.CLUSTER_OFFICE, name_zh, name_en)
        if cluster.office_id is None:
            cluster.office = office
            cluster.save(update_fields=["office", "updated_at"])
    users = {login.username: _user(login) for login in LOGINS}
    orgs: dict[str, Organisation | None] = {}
    operator = _org(Organisation.Kind.OPERATOR, *OPERATOR_ORG)
    _member(users["operator"], operator, Membership.Role.OWNER)
    orgs["operator"] = operator
    for slug in ("humen", "keqiao"):
        office = Organisation.objects.get(pk=clusters[slug].office_id)
        # Demo logins never join a real office that was set up before the demo.
        if office.is_demo:
            _member(users[f"office_{slug}"], office, Membership.Role.ADMIN)
        orgs[f"office_{slug}"] = office if office.is_demo else None
    orgs["firm_humen"] = _claim(users["firm_humen"], clusters["humen"], "garment_making")
    orgs["firm_keqiao"] = _claim(users["firm_keqiao"], clusters["keqiao"], "weaving")
    _applicant(users["firm_applicant"], clusters["humen"])
    orgs["firm_applicant"] = _owned_firm_org(users["firm_applicant"])
    provider = _org(Organisation.Kind.SERVICE_PROVIDER, *PROVIDER_ORG)
    _member(users["provider_lab"], provider, Membership.Role.OWNER)
    orgs["provider_lab"] = provider
    return orgs


def demo_logins() -> list[dict]:
    """Each demo login with its organisation (empty when it has none yet)."""
    rows = []
    memberships = {
        m.user.username: m
        for m in Membership.objects.filter(user__username__in=[x.username for x in LOGINS])
        .select_related("user", "organisation")
        .order_by("created_at")
    }
    for login in LOGINS:
        m = memberships.get(login.username)
        rows.append(
            {
                "username": login.username,
                "password": DEMO_PASSWORD,
                "role": login.role,
                "organisation": m.organisation.name_zh if m else "",
                "exists": User.objects.filter(username=login.username).exists(),
            }
        )
    return rows
