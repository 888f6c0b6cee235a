import datetime
from decimal import Decimal

from ninja import Field, Schema


class DemandIn(Schema):
    enterprise_id: int | None = Field(
        None, description="The firm posting; needed if you act for several."
    )
    title: str = Field(..., max_length=120)
    stage: str
    category: str
    spec: str = ""
    fibre_content: str = ""
    weight_gsm: int | None = None
    width_cm: int | None = None
    colour: str = ""
    size_range: str = ""
    quantity: Decimal
    unit: str
    target_price: Decimal | None = Field(None, description="Yuan per unit.")
    needed_by: datetime.date
    quote_deadline: datetime.datetime
    delivery_address: str = Field(..., max_length=300)
    certifications: list[str] = []
    visibility: str = "public"
    publish: bool = Field(False, description="Open for quotes straight away.")


class DemandPatch(Schema):
    """Only the fields sent change. Once quotes are in, stage, category, unit, fibre content,
    weight, width, delivery address and certifications are locked (409 locked_once_quoted); the
    needed-by date may only move later, visibility only to public, quantity not below a quote's."""

    title: str | None = Field(None, max_length=120)
    stage: str | None = None
    category: str | None = None
    spec: str | None = None
    fibre_content: str | None = None
    weight_gsm: int | None = None
    width_cm: int | None = None
    colour: str | None = None
    size_range: str | None = None
    quantity: Decimal | None = None
    unit: str | None = None
    target_price: Decimal | None = Field(None, description="Yuan per unit; null clears it.")
    needed_by: datetime.date | None = None
    quote_deadline: datetime.datetime | None = None
    delivery_address: str | None = Field(None, max_length=300)
    certifications: list[str] | None = None
    visibility: str | None = None


class DemandOut(Schema):
    id: int
    title: str
    buyer_id: int
    buyer_name: str = Field(..., alias="buyer.name_zh")
    stage: str
    category: str
    spec: str
    fibre_content: str
    weight_gsm: int | None
    width_cm: int | None
    colour: str
    size_range: str
    quantity: Decimal
    unit: str
    target_price: Decimal | None
    needed_by: datetime.date
    quote_deadline: datetime.datetime
    delivery_address: str
    delivery_province: str
    delivery_adcode: str
    certifications: list[str]
    visibility: str
    status: str
    published_at: datetime.datetime | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_certifications(obj):
        return [c.code for c in obj.certifications.all()]


class DemandPage(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    next: str | None
    previous: str | None
    results: list[DemandOut]


class TransitionIn(Schema):
    note: str = Field("", max_length=300)


class TransitionOut(Schema):
    """Who changed the status and their note are shown to the buyer's people, the offices of
    its clusters and the operator only; to others they are null."""

    from_status: str
    to_status: str
    actor: str | None = Field(None, alias="actor.username")
    note: str | None = None
    at: datetime.datetime


class OfferIn(Schema):
    enterprise_id: int | None = None
    title: str = Field(..., max_length=120)
    stage: str
    categories: list[str]
    description: str = ""
    quantity: Decimal
    unit: str
    period: str = Field(..., description="week or month")
    available_from: datetime.date
    available_until: datetime.date
    price: Decimal | None = Field(None, description="Indicative, yuan per unit.")
    min_order: Decimal = Decimal(0)


class OfferOut(Schema):
    id: int
    title: str
    supplier_id: int
    supplier_name: str = Field(..., alias="supplier.name_zh")
    stage: str
    categories: list[str]
    description: str
    quantity: Decimal
    unit: str
    period: str
    available_from: datetime.date
    available_until: datetime.date
    price: Decimal | None
    min_order: Decimal
    status: str
    created_at: datetime.datetime


class OfferPage(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    next: str | None
    previous: str | None
    results: list[OfferOut]


class MatchOut(Schema):
    kind: str = Field(description="offer: a capacity offer; firm: a firm without an open offer")
    offer_id: int | None
    offer_title: str
    supplier_id: int
    supplier_name: str
    score: float
    strong: bool
    parts: dict[str, float]
    reasons: list[str]


class DemandMatchOut(Schema):
    demand_id: int
    demand_title: str
    buyer_name: str
    score: float
    strong: bool
    parts: dict[str, float]
    reasons: list[str]
    published_at: datetime.datetime


class QuoteIn(Schema):
    enterprise_id: int | None = None
    offer_id: int | None = None
    unit_price: Decimal = Field(..., description="Yuan per unit of the demand.")
    quantity: Decimal
    lead_time_days: int = Field(..., ge=0, le=730)
    valid_until: datetime.date
    notes: str = Field("", max_length=2000)


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int = Field(description="Bytes.")
    created_at: datetime.datetime
    download_url: str = Field(description="GET it with the same credentials.")

    @staticmethod
    def resolve_download_url(obj) -> str:
        return f"/api/v1/attachments/{obj.id}"


class QuoteOut(Schema):
    id: int
    demand_id: int
    supplier_id: int
    supplier_name: str = Field(..., alias="supplier.name_zh")
    unit_price: Decimal
    quantity: Decimal
    total: Decimal
    lead_time_days: int
    valid_until: datetime.date
    notes: str
    status: str
    created_at: datetime.datetime


class AwardIn(Schema):
    quantity: Decimal | None = Field(None, description="Defaults to the quoted quantity.")


class AwardOut(Schema):
    id: int
    demand_id: int
    quote_id: int
    quantity: Decimal
    awarded_at: datetime.datetime
    demand_status: str = Field(..., alias="demand.status")


class RatingIn(Schema):
    on_time: bool
    quality: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=500)


class RatingOut(Schema):
    id: int
    side: str
    ratee_id: int
    on_time: bool
    quality: int


class InvitationIn(Schema):
    enterprise_id: int


class ReportIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


class ReportOut(Schema):
    id: int
    status: str
    reason: str


class DecideIn(Schema):
    hide: bool


class SavedSearchIn(Schema):
    name: str = Field(..., max_length=100)
    kind: str = "demands"
    filters: dict[str, str | int] = {}
    notify: bool = True


class SavedSearchOut(Schema):
    id: int
    name: str
    kind: str
    filters: dict
    notify: bool


class NotificationOut(Schema):
    id: int
    kind: str
    message: str
    url: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None
