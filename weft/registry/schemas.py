from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict


class StageOut(Schema):
    code: str
    name_zh: str
    name_en: str
    order: int


class IndustryCodeOut(Schema):
    code: str
    level: str
    parent: str | None = Field(None, alias="parent.code")
    name_zh: str
    name_en: str


class ClusterOut(Schema):
    id: int
    slug: str
    name_zh: str
    name_en: str
    province: str
    prefecture: str
    county: str
    adcode: str
    latitude: Decimal
    longitude: Decimal
    specialty_zh: str
    specialty_en: str
    stages: list[str]
    is_pilot: bool
    pilot_year: int | None

    @staticmethod
    def resolve_stages(obj):
        return [s.code for s in obj.stages.all()]


class ClusterDetailOut(ClusterOut):
    town: str
    description_zh: str
    description_en: str
    office: str | None
    member_count: int
    source_note: str


# Directory rows are plain dicts (selectors.directory_rows): plain pydantic models validate them
# without ninja's attribute resolution, which cost a third of a first-time search's time.
class ClusterRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # a Cluster on the firm's own page

    id: int
    slug: str
    name_zh: str
    name_en: str


class EnterpriseListOut(BaseModel):
    id: int
    uscc: str | None
    name_zh: str
    name_en: str
    province: str
    city: str
    county: str
    main_products: str
    size_band: str
    stages: list[str] = Field(description="Codes of the firm's chain stages.")
    clusters: list[ClusterRef] = Field(description="Clusters it is an approved member of.")
    is_demo: bool


class Capacity(Schema):
    quantity: Decimal | None
    unit: str
    period: str


class EnterpriseOut(Schema):
    id: int
    uscc: str | None
    name_zh: str
    name_en: str
    legal_form: str
    address: str
    province: str
    city: str
    county: str
    adcode: str
    latitude: Decimal | None
    longitude: Decimal | None
    geocode_precision: str
    clusters: list[ClusterRef]
    stages: list[str]
    industry_codes: list[str]
    certifications: list[str]
    main_products: str
    capacity: Capacity
    employees: int | None
    size_band: str
    founded_year: int | None
    ecommerce_channels: list[str]
    website: str
    contact: dict[str, str | None]
    contact_visibility: dict[str, str]
    source: str
    supplied_at: datetime | None
    is_demo: bool
    updated_at: datetime


class CapacityIn(Schema):
    quantity: Decimal | None = Field(None, ge=0)
    unit: str = Field("", max_length=20)
    period: str = Field("", pattern="^(|day|week|month|year)$")


class EnterpriseIn(Schema):
    uscc: str | None = Field(None, max_length=40)
    name_zh: str = Field(..., min_length=2, max_length=200)
    name_en: str = Field("", max_length=200)
    legal_form: str = "limited"
    address: str = Field("", max_length=300)
    stages: list[str] = []
    industry_codes: list[str] = []
    certifications: list[str] = []
    main_products: str = Field("", max_length=500)
    capacity: CapacityIn | None = None
    employees: int | None = Field(None, ge=0, le=2_000_000)
    founded_year: int | None = Field(None, ge=1800, le=2100)
    ecommerce_channels: list[str] = []
    website: str = Field("", max_length=200)
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=30)
    contact_email: str = Field("", max_length=254)
    contact_visibility: dict[str, str] = {}
    cluster_id: int | None = None


class EnterprisePatch(Schema):
    uscc: str | None = Field(None, max_length=40)
    name_zh: str | None = Field(None, min_length=2, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    legal_form: str | None = None
    address: str | None = Field(None, max_length=300)
    stages: list[str] | None = None
    industry_codes: list[str] | None = None
    certifications: list[str] | None = None
    main_products: str | None = Field(None, max_length=500)
    capacity: CapacityIn | None = None
    employees: int | None = Field(None, ge=0, le=2_000_000)
    founded_year: int | None = Field(None, ge=1800, le=2100)
    ecommerce_channels: list[str] | None = None
    website: str | None = Field(None, max_length=200)
    contact_name: str | None = Field(None, max_length=50)
    contact_phone: str | None = Field(None, max_length=30)
    contact_email: str | None = Field(None, max_length=254)
    contact_visibility: dict[str, str] | None = None


class UsccRegion(Schema):
    adcode: str
    province: str
    city: str
    county: str


class UsccError(Schema):
    code: str
    message: str
    position: int | None


class UsccOut(Schema):
    valid: bool
    code: str
    errors: list[UsccError]
    registration_authority: str | None
    organisation_type: str | None
    region: UsccRegion | None


class GeocodeOut(Schema):
    address: str
    province: str
    city: str
    county: str
    adcode: str
    lat: float | None
    lon: float | None
    precision: str


# A plain pydantic model: each item's own schema still resolves its attributes.
class Page(BaseModel):
    count: int
    page: int
    page_size: int
    pages: int
    next: str | None
    previous: str | None


class EnterprisePage(Page):
    results: list[EnterpriseListOut]


class ClusterPage(Page):
    results: list[ClusterOut]
