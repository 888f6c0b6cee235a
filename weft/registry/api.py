"""Registry endpoints: clusters, enterprises, taxonomy, identifiers and geocoding."""

from functools import partial

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from weft.core.api import ApiError
from weft.core.auth import REQUIRED_AUTH, current_user
from weft.core.pagination import paginate
from weft.core.params import QueryParams, SearchText
from weft.core.response_cache import cached_public_answer

from . import selectors, services
from .directory import DirectoryMatches
from .geocoding import geocode
from .identifiers import validate_uscc
from .index_selectors import directory_state
from .models import ChainStage, Cluster, Enterprise, IndustryCode
from .schemas import (
    ClusterDetailOut,
    ClusterPage,
    EnterpriseIn,
    EnterpriseOut,
    EnterprisePage,
    EnterprisePatch,
    GeocodeOut,
    IndustryCodeOut,
    StageOut,
    UsccOut,
)

router = Router(tags=["registry"])


class ClusterQuery(QueryParams):
    q: SearchText = ""
    province: str = ""
    stage: str = ""
    specialty: str = ""
    page: int = 1
    page_size: int | None = None


class EnterpriseQuery(QueryParams):
    q: SearchText = ""
    cluster: int | None = None
    province: str = ""
    stage: str = ""
    industry_code: str = ""
    certification: str = ""
    size_band: str = ""
    page: int = 1
    page_size: int | None = None


@router.get("/clusters", response=ClusterPage, summary="List clusters")
def list_clusters(request, query: Query[ClusterQuery]):
    selectors.check_filters(province=query.province, stage=query.stage)
    qs = selectors.cluster_directory(
        q=query.q, province=query.province, stage=query.stage, specialty=query.specialty
    )
    return paginate(request, qs, page=query.page, page_size=query.page_size)


@router.get("/clusters/{cluster_id}", response=ClusterDetailOut, summary="One cluster")
def get_cluster(request, cluster_id: int):
    cluster = get_object_or_404(
        Cluster.objects.select_related("office").prefetch_related("stages"), pk=cluster_id
    )
    # `office` is a relation on the model but a name in the API: answer through a view object
    # rather than assigning a string to the foreign key.
    return _ClusterDetail(
        cluster,
        office=cluster.office.name_zh if cluster.office else None,
        member_count=selectors.cluster_member_counts().get(cluster.pk, 0),
    )


class _ClusterDetail:
    def __init__(self, cluster, **overrides):
        self._cluster = cluster
        self.__dict__.update(overrides)

    def __getattr__(self, name):
        return getattr(self._cluster, name)


@router.get("/enterprises", response=EnterprisePage, summary="Search the enterprise directory")
def list_enterprises(request, query: Query[EnterpriseQuery]):
    """Answers are the same for every caller, so they are cached until the directory changes."""

    state = directory_state()

    def search():
        # Checked here, not before the cache: a cached answer's filters were checked already.
        filters = selectors.EnterpriseFilters.of(query).check(state.version)
        matches = DirectoryMatches(filters, state)
        return paginate(
            request,
            matches,
            page=query.page,
            page_size=query.page_size,
            windowed=True,
            rows=partial(matches.rows, version=state.version),
        )

    return cached_public_answer(
        request,
        EnterprisePage,
        search,
        version=state.version,
        seconds=settings.WEFT_DIRECTORY_CACHE_SECONDS,
    )


@router.get("/enterprises/{enterprise_id}", response=EnterpriseOut, summary="One enterprise")
def get_enterprise(request, enterprise_id: int):
    try:
        enterprise = selectors.enterprise_detail(enterprise_id)
    except Enterprise.DoesNotExist:
        raise ApiError(
            404, "not_found", _("No enterprise has id %(id)d.") % {"id": enterprise_id}
        ) from None
    return selectors.enterprise_as_dict(enterprise, current_user(request))


def _enterprise_data(payload, *, partial: bool) -> dict:
    data = payload.dict(exclude_unset=partial, exclude={"cluster_id"})
    capacity = data.pop("capacity", None)
    if capacity is not None:
        data["capacity_quantity"] = capacity.get("quantity")
        data["capacity_unit"] = capacity.get("unit", "")
        data["capacity_period"] = capacity.get("period", "")
    if partial:
        data = {
            k: v
            for k, v in data.items()
            if v is not None or k in ("uscc", "employees", "founded_year")
        }
    return data


@router.post(
    "/enterprises", response={201: EnterpriseOut}, auth=REQUIRED_AUTH, summary="Add an enterprise"
)
def create_enterprise(request, payload: EnterpriseIn):
    user = current_user(request)
    cluster = None
    if payload.cluster_id is not None:
        cluster = Cluster.objects.filter(pk=payload.cluster_id).first()
        if cluster is None:
            raise ApiError(
                422, "invalid_data", _("No cluster has id %(id)d.") % {"id": payload.cluster_id}
            )
    source = Enterprise.Source.CLUSTER_OFFICE if cluster else Enterprise.Source.SELF
    enterprise = services.create_enterprise(
        user=user, data=_enterprise_data(payload, partial=False), source=source, cluster=cluster
    )
    return Status(
        201, selectors.enterprise_as_dict(selectors.enterprise_detail(enterprise.pk), user)
    )


@router.patch(
    "/enterprises/{enterprise_id}",
    response=EnterpriseOut,
    auth=REQUIRED_AUTH,
    summary="Change an enterprise",
)
def update_enterprise(request, enterprise_id: int, payload: EnterprisePatch):
    user = current_user(request)
    enterprise = get_object_or_404(Enterprise, pk=enterprise_id)
    services.update_enterprise(
        user=user, enterprise=enterprise, data=_enterprise_data(payload, partial=True)
    )
    return selectors.enterprise_as_dict(selectors.enterprise_detail(enterprise_id), user)


@router.get("/taxonomy/stages", response=list[StageOut], summary="Industry chain stages")
def list_stages(request):
    return ChainStage.objects.all()


@router.get(
    "/taxonomy/industry-codes", response=list[IndustryCodeOut], summary="GB/T 4754-2017 codes"
)
def list_industry_codes(request, level: str = ""):
    qs = IndustryCode.objects.select_related("parent")
    if level:
        qs = qs.filter(level=level)
    return qs


@router.get(
    "/identifiers/uscc/{code}", response=UsccOut, summary="Check a unified social credit code"
)
def check_uscc(request, code: str):
    return validate_uscc(code).as_dict()


@router.get("/geocode", response=GeocodeOut, summary="Locate a Chinese address to county level")
def geocode_address(request, address: str):
    if not address.strip():
        raise ApiError(422, "invalid_request", _("Give an address to locate."))
    if len(address) > 300:
        raise ApiError(422, "invalid_request", _("An address has at most 300 characters."))
    place = geocode(address)
    return {
        "address": address,
        "province": place.province,
        "city": place.city,
        "county": place.county,
        "adcode": place.adcode,
        "lat": place.latitude,
        "lon": place.longitude,
        "precision": place.precision,
    }
