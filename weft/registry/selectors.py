"""Reads of the registry: the directories, profiles and headline figures."""

from dataclasses import dataclass, fields

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from weft.core.errors import ApiError

from . import divisions
from .models import (
    Certification,
    ChainStage,
    Cluster,
    ClusterMembership,
    Enterprise,
    IndustryCode,
)
from .search import facet_token, query_tokens, search_terms, tokens_prove


@dataclass
class EnterpriseFilters:
    q: str = ""
    cluster: int | None = None
    province: str = ""
    stage: str = ""
    industry_code: str = ""
    certification: str = ""
    size_band: str = ""

    @classmethod
    def of(cls, query) -> "EnterpriseFilters":
        """From any object with the directory's filter fields (the API's query schemas)."""
        return cls(**{field.name: getattr(query, field.name) for field in fields(cls)})

    def check(self, version: int | None = None) -> "EnterpriseFilters":
        """These filters, or a 422 naming the first one whose value names nothing. With the
        directory's `version`, values found are remembered until it changes."""
        check_filters(
            version=version,
            cluster=self.cluster,
            province=self.province,
            stage=self.stage,
            industry_code=self.industry_code,
            certification=self.certification,
            size_band=self.size_band,
        )
        return self

    def tokens(self) -> list[str]:
        tokens: list[str] = []
        for term in search_terms(self.q):
            tokens += query_tokens(term)
        return list(dict.fromkeys(tokens + self.facet_tokens()))

    def facet_tokens(self) -> list[str]:
        tokens: list[str] = []
        if self.cluster:
            tokens.append(facet_token("c", self.cluster))
        if self.province:
            code = divisions.province_code(self.province)
            # An unknown province matches nothing rather than everything.
            tokens.append(facet_token("p", code or "none"))
        if self.stage:
            tokens.append(facet_token("s", self.stage))
        if self.industry_code:
            tokens.append(facet_token("i", self.industry_code))
        if self.certification:
            tokens.append(facet_token("cert", self.certification))
        if self.size_band:
            tokens.append(facet_token("sz", self.size_band))
        return tokens


def check_filters(**filters) -> None:
    """Refuse (422) directory filters (those `unknown_filters` takes) whose value names nothing.
    Such a filter matches nothing, and an empty page would not tell a client its typo from a
    search without results. (The web forms report the same values and leave them out.)"""
    refuse_unknown_filters(unknown_filters(**filters))


def unknown_filters(
    *,
    cluster: int | None = None,
    province: str = "",
    stage: str = "",
    industry_code: str = "",
    certification: str = "",
    size_band: str = "",
    version: int | None = None,
) -> list[tuple[str, object, str]]:
    """(parameter, value, message) for each of these filters whose value names nothing; other
    lists (the marketplace's) add their own and refuse them all with `refuse_unknown_filters`.
    `version`: the directory's, to remember the values found until it changes."""
    known = _known_values(version)
    unknown = []
    if cluster is not None and not known(Cluster, pk=cluster):
        unknown.append(("cluster", cluster, _("No cluster has id %(id)d.") % {"id": cluster}))
    if province and not divisions.province_code(province):
        message = _(
            "Unknown province “%(value)s” (parameter province): give a name such as 广东省 or a "
            "code such as 44."
        )
        unknown.append(("province", province, message % {"value": province}))
    if stage and not known(ChainStage, code=stage):
        message = _(
            "Unknown chain stage “%(value)s” (parameter stage): see /api/v1/taxonomy/stages."
        )
        unknown.append(("stage", stage, message % {"value": stage}))
    if industry_code and not known(IndustryCode, code=industry_code):
        message = _(
            "Unknown industry code “%(value)s” (parameter industry_code): see "
            "/api/v1/taxonomy/industry-codes."
        )
        unknown.append(("industry_code", industry_code, message % {"value": industry_code}))
    if certification and not known(Certification, code=certification):
        message = _("Unknown certification “%(value)s” (parameter certification).")
        unknown.append(("certification", certification, message % {"value": certification}))
    if size_band and size_band not in Enterprise.SizeBand.values:
        message = _(
            "Unknown size band “%(value)s” (parameter size_band): use micro, small, medium or "
            "large."
        )
        unknown.append(("size_band", size_band, message % {"value": size_band}))
    return unknown


_remembered: dict = {}  # what this process keeps for the directory version under "version"


def remembered(version: int | None) -> dict | None:
    """What this process keeps for the directory's `version` (filter values found, the names a
    page shows), emptied when the version changes; None, keep nothing, without a version or
    inside a transaction, whose own writes the version does not show until it commits."""
    if version is None or connection.in_atomic_block:
        return None
    if _remembered.get("version") != version:
        _remembered.clear()
        _remembered["version"] = version
    return _remembered


def _known_values(version: int | None):
    """`known(model, **lookup)`: whether a row matches. With a version, a match found is
    remembered in this process until the version changes: clusters and chain stages are among
    the tables whose writes renew it, and industry codes and certifications are reference data
    (a value deleted meanwhile would only give an empty page, not a 422)."""
    memo = remembered(version)

    def known(model, **lookup) -> bool:
        key = ("known", model, *lookup.items())
        if memo is not None and key in memo:
            return True
        found = model.objects.filter(**lookup).exists()
        if found and memo is not None:
            memo[key] = True
        return found

    return known


def refuse_unknown_filters(unknown: list[tuple[str, object, str]]) -> None:
    """A 422 naming the first unknown filter value, with every one of them in the details."""
    if unknown:
        raise ApiError(
            422,
            "invalid_request",
            unknown[0][2],
            [
                {
                    "loc": ["query", param],
                    "message": message,
                    "type": "unknown_value",
                    "input": value,
                }
                for param, value, message in unknown
            ],
        )


def enterprise_directory(filters: EnterpriseFilters) -> QuerySet[Enterprise]:
    qs = Enterprise.objects.all()
    tokens = filters.tokens()
    if tokens:
        qs = qs.filter(search_tokens__has_all=tokens)
    for term in search_terms(filters.q):
        # The substring check reads every candidate's text; skip it where the index is exact.
        if not tokens_prove(term):
            qs = qs.filter(search_text__contains=term)
    return qs.order_by("name_sort", "id")


LIST_FIELDS = (
    "id",
    "uscc",
    "name_zh",
    "name_en",
    "province",
    "city",
    "county",
    "main_products",
    "size_band",
    "is_demo",
)


def directory_rows(
    page: list[dict], version: int | None = None, held: dict[int, tuple] | None = None
) -> list[dict]:
    """A page of directory rows (given as `{"id": ...}` in order) as plain dicts with their
    fields, stage codes and approved clusters. `version`: the directory's, to reuse the stages'
    and clusters' names read for it. `held`: listings the in-memory index already holds, by
    firm id (`IndexedMatches.listings`), as (values, stage ids, cluster ids).

    The search sorts and counts ids only: carrying every listed field of every match through
    the sort cost twice as much at a million firms. The page's rows the index does not hold
    are then fetched by id in one query of plain SQL, with their stage and cluster ids.
    """
    ids = [row["id"] for row in page]
    found = dict(held or {})
    missing = [i for i in ids if i not in found]
    if missing:
        marks = ", ".join(["%s"] * len(missing))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {listing_columns()} FROM {Enterprise._meta.db_table} AS e "  # noqa: S608
                f"WHERE e.id IN ({marks})",
                [ClusterMembership.Status.APPROVED, *missing],
            )
            found.update((row[0], listing_of(row)) for row in cursor.fetchall())
    names = _PageNames.of(version)
    names.read_clusters({i for _values, _stages, clusters in found.values() for i in clusters})
    # A firm deleted between the search and this read is left out rather than shown half.
    return [names.row(*found[i]) for i in ids if i in found]


def _ids(value) -> list[int]:
    # PostgreSQL gives an array, ordered; SQLite (before 3.44, no ORDER BY in an aggregate) a
    # text of "order:id" pairs, sorted here.
    if not value:
        return []
    if isinstance(value, list):
        return value
    if "," not in value:
        return [int(value.partition(":")[2])]
    pairs = sorted(tuple(map(int, pair.split(":"))) for pair in value.split(","))
    return [i for _order, i in pairs]


_FIELDS = ", ".join(f"e.{name}" for name in LIST_FIELDS)
_STAGES = Enterprise.stages.through._meta.db_table
_MEMBERSHIPS = ClusterMembership._meta.db_table
_LISTING_COLUMNS = {
    False: (  # SQLite: "order:id" pairs; the stages' order is the taxonomy's (_PageNames)
        f"{_FIELDS}, "  # noqa: S608
        f"(SELECT group_concat('0:' || l.chainstage_id) FROM {_STAGES} AS l "
        "WHERE l.enterprise_id = e.id), "
        f"(SELECT group_concat(m.id || ':' || m.cluster_id) FROM {_MEMBERSHIPS} AS m "
        # `+`: never by the status index, which a database without statistics would pick,
        # reading every approved membership for each firm (45 s to build a 20,000-firm index).
        "WHERE m.enterprise_id = e.id AND +m.status = %s)"
    ),
    True: (  # PostgreSQL
        f"{_FIELDS}, "  # noqa: S608
        f"ARRAY(SELECT l.chainstage_id FROM {_STAGES} AS l WHERE l.enterprise_id = e.id), "
        f"ARRAY(SELECT m.cluster_id FROM {_MEMBERSHIPS} AS m "
        "WHERE m.enterprise_id = e.id AND m.status = %s ORDER BY m.id)"
    ),
}


def listing_columns() -> str:
    """The SQL columns of firms' listings (table alias `e`): LIST_FIELDS, then the stage ids and
    the approved cluster ids. Their one parameter is `ClusterMembership.Status.APPROVED`."""
    return _LISTING_COLUMNS[connection.vendor == "postgresql"]


def listing_of(row) -> tuple:
    """(values, stage ids, cluster ids) of a row starting with `listing_columns()`."""
    width = len(LIST_FIELDS)
    return row[:width], _ids(row[width]), _ids(row[width + 1])


class _PageNames:
    """The chain stages and clusters a page of directory rows names, read once per directory
    version (their tables' writes renew it) and kept in this process until it changes."""

    def __init__(self):
        self.stages = dict(ChainStage.objects.order_by("order", "code").values_list("id", "code"))
        self._clusters: dict[int, dict] = {}
        self._codes: dict[tuple, list[str]] = {}  # the stage codes of each set of stage ids

    @classmethod
    def of(cls, version: int | None) -> "_PageNames":
        memo = remembered(version)
        if memo is None:
            return cls()
        names = memo.get("page names")
        if names is None:
            names = memo["page names"] = cls()
        return names

    def stage_codes(self, stage_ids: list[int]) -> list[str]:
        key = tuple(stage_ids)
        codes = self._codes.get(key)
        if codes is None:
            wanted = set(stage_ids)
            codes = self._codes[key] = [code for i, code in self.stages.items() if i in wanted]
        return list(codes)

    def read_clusters(self, cluster_ids: set[int]) -> None:
        """Read the names of those clusters not read yet, in one query."""
        missing = cluster_ids - self._clusters.keys()
        if missing:
            for cluster in Cluster.objects.filter(id__in=missing).values(
                "id", "slug", "name_zh", "name_en"
            ):
                self._clusters[cluster["id"]] = cluster

    def row(self, values: tuple, stage_ids: list[int], cluster_ids: list[int]) -> dict:
        # Not strict: the values are LIST_FIELDS by construction, and the check took half the time.
        row = dict(zip(LIST_FIELDS, values, strict=False))
        row["stages"] = self.stage_codes(stage_ids)
        row["clusters"] = self.clusters(cluster_ids)
        return row

    def clusters(self, cluster_ids: list[int]) -> list[dict]:
        # Copies: the rows go to the caller, the names stay for the next page.
        return [dict(self._clusters[i]) for i in cluster_ids if i in self._clusters]


def enterprise_list_page(qs: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    """What a directory row shows, fetched without a query per row."""
    return qs.only(
        "id",
        "name_zh",
        "name_en",
        "province",
        "city",
        "county",
        "main_products",
        "size_band",
        "employees",
        "uscc",
        "is_demo",
    ).prefetch_related(
        "stages",
        Prefetch(
            "cluster_memberships",
            queryset=ClusterMembership.objects.filter(
                status=ClusterMembership.Status.APPROVED
            ).select_related("cluster"),
            to_attr="approved_memberships",
        ),
    )


def enterprise_detail(enterprise_id: int) -> Enterprise:
    return (
        Enterprise.objects.select_related("supplied_by_org")
        .prefetch_related(
            "stages",
            "industry_codes",
            "certifications",
            Prefetch(
                "cluster_memberships",
                queryset=ClusterMembership.objects.select_related("cluster"),
            ),
        )
        .get(pk=enterprise_id)
    )


def approved_clusters(enterprise: Enterprise) -> list[Cluster]:
    return [
        m.cluster
        for m in enterprise.cluster_memberships.all()
        if m.status == ClusterMembership.Status.APPROVED
    ]


def cluster_directory(
    *, q: str = "", province: str = "", stage: str = "", specialty: str = ""
) -> QuerySet[Cluster]:
    qs = Cluster.objects.prefetch_related("stages")
    for term in search_terms(q):
        qs = qs.filter(
            Q(name_zh__icontains=term)
            | Q(name_en__icontains=term)
            | Q(place_zh__icontains=term)
            | Q(prefecture__icontains=term)
            | Q(county__icontains=term)
            | Q(specialty_zh__icontains=term)
            | Q(specialty_en__icontains=term)
        )
    if province:
        code = divisions.province_code(province)
        name = divisions.get(code + "0000").name if code else province
        qs = qs.filter(province=name)
    if stage:
        qs = qs.filter(stages__code=stage)
    if specialty:
        qs = qs.filter(Q(specialty_zh__icontains=specialty) | Q(specialty_en__icontains=specialty))
    return qs.distinct().order_by("province", "slug")


def cluster_member_counts() -> dict[int, int]:
    rows = (
        ClusterMembership.objects.filter(status=ClusterMembership.Status.APPROVED)
        .values("cluster_id")
        .annotate(n=Count("id"))
    )
    return {r["cluster_id"]: r["n"] for r in rows}


def cluster_stage_counts(cluster: Cluster) -> list[tuple[ChainStage, int]]:
    """Each chain stage with the number of approved member firms working in it."""
    counts = dict(
        Enterprise.objects.filter(
            cluster_memberships__cluster=cluster,
            cluster_memberships__status=ClusterMembership.Status.APPROVED,
        )
        .values("stages__code")
        .annotate(n=Count("id"))
        .values_list("stages__code", "n")
    )
    return [(stage, counts.get(stage.code, 0)) for stage in ChainStage.objects.all()]


def headline_figures() -> dict:
    return {
        "clusters": Cluster.objects.count(),
        "pilot_clusters": Cluster.objects.filter(is_pilot=True).count(),
        "enterprises": Enterprise.objects.count(),
        "provinces": Cluster.objects.values("province").distinct().count(),
    }


def visible_contact(enterprise: Enterprise, user) -> dict[str, str | None]:
    """Contact fields as `user` may see them: hidden ones come back as None."""
    from weft.accounts.permissions import can

    private_ok = None
    out: dict[str, str | None] = {}
    for field in Enterprise.CONTACT_FIELDS:
        level = enterprise.contact_visibility_of(field)
        if level == Enterprise.Visibility.PRIVATE or (
            level == Enterprise.Visibility.REGISTERED and not user.is_authenticated
        ):
            if private_ok is None:
                private_ok = can(user, "registry.view_private_contact", enterprise)
            allowed = private_ok
        else:
            allowed = True
        out[field.removeprefix("contact_")] = getattr(enterprise, field) if allowed else None
    return out


def enterprise_as_dict(enterprise: Enterprise, user) -> dict:
    """The full profile for the API, with contact fields filtered for `user`."""
    return {
        **{
            f: getattr(enterprise, f)
            for f in (
                "id",
                "uscc",
                "name_zh",
                "name_en",
                "legal_form",
                "address",
                "province",
                "city",
                "county",
                "adcode",
                "latitude",
                "longitude",
                "geocode_precision",
                "main_products",
                "employees",
                "size_band",
                "founded_year",
                "ecommerce_channels",
                "website",
                "source",
                "supplied_at",
                "is_demo",
                "updated_at",
            )
        },
        "clusters": approved_clusters(enterprise),
        "stages": [s.code for s in enterprise.stages.all()],
        "industry_codes": [c.code for c in enterprise.industry_codes.all()],
        "certifications": [c.code for c in enterprise.certifications.all()],
        "capacity": {
            "quantity": enterprise.capacity_quantity,
            "unit": enterprise.capacity_unit,
            "period": enterprise.capacity_period,
        },
        "contact": visible_contact(enterprise, user),
        "contact_visibility": {
            f.removeprefix("contact_"): enterprise.contact_visibility_of(f)
            for f in Enterprise.CONTACT_FIELDS
        },
    }


def acting_organisation(user, enterprise: Enterprise):
    """Which of the user's organisations speaks when they change this firm's record.

    The firm's own organisation first, then an office of one of its clusters, then the operator;
    the profile's provenance line names it.
    """
    from weft.accounts.models import Organisation
    from weft.accounts.permissions import actor_for

    memberships = actor_for(user).memberships
    if not memberships:
        return None
    firm_org = (
        Organisation.objects.filter(enterprise=enterprise).values_list("id", flat=True).first()
    )
    office_ids = set(
        Cluster.objects.filter(
            memberships__enterprise=enterprise,
            memberships__status=ClusterMembership.Status.APPROVED,
        ).values_list("office_id", flat=True)
    )
    for test in (
        lambda o: o.pk == firm_org,
        lambda o: o.pk in office_ids,
        lambda o: o.kind == Organisation.Kind.OPERATOR,
    ):
        for m in memberships:
            if test(m.organisation):
                return m.organisation
    return None
