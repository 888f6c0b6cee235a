"""Calendar and news endpoints. Kinds: exhibition, competition, forum, training. (Chain docking
conferences are the chain app's, under /events/docking…; these routes take only numeric ids.)"""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from weft.accounts.models import Organisation
from weft.core.api import ApiError
from weft.core.auth import REQUIRED_AUTH, current_user
from weft.core.pagination import paginate
from weft.core.params import QueryParams
from weft.registry.models import Cluster
from weft.registry.refs import cluster_by_id
from weft.registry.schemas import Page

from . import selectors, services
from .models import Event, NewsPost

router = Router(tags=["events"])


class EventOut(Schema):
    id: int
    kind: str
    title: str
    summary: str
    starts_at: datetime
    ends_at: datetime
    place: str
    cluster_id: int | None
    organiser: str
    results_published: bool

    @staticmethod
    def resolve_organiser(obj):
        return obj.organiser.name_zh


class EventPage(Page):
    results: list[EventOut]


class EventQuery(QueryParams):
    cluster: int | None = None
    kind: str = ""
    start: datetime | None = None
    end: datetime | None = None
    page: int = 1
    page_size: int | None = None


class EventIn(Schema):
    cluster_id: int | None = None
    kind: Event.Kind
    title: str
    summary: str = ""
    starts_at: datetime
    ends_at: datetime
    place: str = ""


@router.get("/events", response=EventPage, summary="The calendar")
def list_events(request, query: Query[EventQuery]):
    if query.kind and query.kind not in Event.Kind.values:
        raise ApiError(
            422,
            "invalid_request",
            _("kind is one of: %(kinds)s.") % {"kinds": ", ".join(Event.Kind.values)},
        )
    qs = selectors.events(
        cluster=cluster_by_id(query.cluster), kind=query.kind, start=query.start, end=query.end
    )
    return paginate(request, qs, page=query.page, page_size=query.page_size)


@router.get("/events/{event_id}", response=EventOut, summary="One event")
def get_event(request, event_id: int):
    return get_object_or_404(Event.objects.select_related("organiser"), pk=event_id)


@router.post("/events", response={201: EventOut}, auth=REQUIRED_AUTH, summary="Add an event")
def create_event(request, payload: EventIn):
    data = payload.dict(exclude={"cluster_id"})
    event = services.create_event(
        user=current_user(request), cluster=cluster_by_id(payload.cluster_id), data=data
    )
    return Status(201, event)


class NewsOut(Schema):
    id: int
    title: str
    body: str
    published_at: datetime
    cluster_id: int | None
    author: str

    @staticmethod
    def resolve_author(obj):
        return obj.author_org.name_zh


class NewsPage(Page):
    results: list[NewsOut]


class NewsQuery(QueryParams):
    cluster: int | None = None
    page: int = 1
    page_size: int | None = None


class NewsIn(Schema):
    organisation_id: int
    title: str
    body: str


@router.get("/news", response=NewsPage, summary="News from cluster offices and the operator")
def list_news(request, query: Query[NewsQuery]):
    return paginate(
        request,
        selectors.news(cluster=cluster_by_id(query.cluster)),
        page=query.page,
        page_size=query.page_size,
    )


@router.post("/news", response={201: NewsOut}, auth=REQUIRED_AUTH, summary="Post news")
def create_news(request, payload: NewsIn):
    org = Organisation.objects.filter(pk=payload.organisation_id).first()
    if org is None:
        raise ApiError(
            422,
            "invalid_data",
            _("No organisation has id %(id)d.") % {"id": payload.organisation_id},
        )
    cluster = Cluster.objects.filter(office=org).first()
    post = services.post_news(
        user=current_user(request), org=org, cluster=cluster, title=payload.title, body=payload.body
    )
    return Status(201, NewsPost.objects.select_related("author_org").get(pk=post.pk))
