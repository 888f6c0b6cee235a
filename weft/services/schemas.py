from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema


class ServiceOut(Schema):
    id: int
    provider_id: int
    provider: str = Field(alias="provider.name_zh")
    category: str
    title_zh: str
    title_en: str
    description: str
    price: Decimal | None = Field(description="Yuan per unit; null means on quotation.")
    price_unit: str
    turnaround_days: int | None
    area_served: str
    cnas_number: str
    qualifications: str
    rating: float | None = None
    reviews: int = 0


class ServiceIn(Schema):
    provider_id: int
    category: str
    title_zh: str
    title_en: str = ""
    description: str = ""
    price: Decimal | None = None
    price_unit: str = ""
    turnaround_days: int | None = None
    area_served: str = ""
    cnas_number: str = ""
    qualifications: str = ""


class ServicePatch(Schema):
    category: str | None = None
    title_zh: str | None = None
    title_en: str | None = None
    description: str | None = None
    price: Decimal | None = None
    price_unit: str | None = None
    turnaround_days: int | None = None
    area_served: str | None = None
    cnas_number: str | None = None
    qualifications: str | None = None
    is_active: bool | None = None


class EventOut(Schema):
    at: datetime
    action: str
    from_status: str
    to_status: str
    note: str


class OrderOut(Schema):
    id: int
    service_id: int
    service: str
    provider_id: int
    firm_id: int
    status: str
    request_note: str
    quote_amount: Decimal | None
    quote_note: str
    delivery_note: str
    deliverable: str | None = None
    subsidy: Decimal | None = None
    firm_pays: Decimal | None = None
    rating: int | None
    review: str
    dispute_reason: str
    resolution: str
    created_at: datetime
    next_steps: list[str] = []
    events: list[EventOut] = []


class OrderIn(Schema):
    service_id: int
    firm_id: int
    note: str = ""


class StepIn(Schema):
    note: str = ""
    amount: Decimal | None = Field(None, description="Quote: total in yuan.")
    outcome: str | None = Field(None, description="Resolve: confirm or cancel.")


class ReviewIn(Schema):
    rating: int
    text: str = ""


class ProgrammeOut(Schema):
    id: int
    issuer_id: int
    issuer: str = Field(alias="issuer.name_zh")
    name_zh: str
    name_en: str
    description: str
    budget: Decimal
    subsidy_ratio: Decimal
    cap_per_firm_year: Decimal
    categories: list[str]
    provider_ids: list[int] = []
    cluster_ids: list[int] = []
    max_employees: int | None
    max_revenue: Decimal | None
    apply_from: date
    apply_until: date
    validity_days: int
    auto_approve: bool
    budget_left: Decimal | None = None

    @staticmethod
    def resolve_provider_ids(obj):
        return sorted(p.pk for p in obj.providers.all())

    @staticmethod
    def resolve_cluster_ids(obj):
        return sorted(c.pk for c in obj.clusters.all())


class ProgrammeIn(Schema):
    issuer_id: int
    name_zh: str
    name_en: str = ""
    description: str = ""
    budget: Decimal
    subsidy_ratio: Decimal
    cap_per_firm_year: Decimal
    categories: list[str] = []
    provider_ids: list[int] = []
    cluster_ids: list[int] = []
    max_employees: int | None = None
    max_revenue: Decimal | None = None
    apply_from: date
    apply_until: date
    validity_days: int = 180
    auto_approve: bool = False


class ApplicationOut(Schema):
    id: int
    programme_id: int
    firm_id: int
    firm: str = Field(alias="firm.name_zh")
    amount: Decimal
    declared_revenue: Decimal | None
    note: str
    status: str
    decision_note: str
    created_at: datetime
    voucher_id: int | None = None


class ApplicationIn(Schema):
    programme_id: int
    firm_id: int
    amount: Decimal
    declared_revenue: Decimal | None = None
    note: str = ""


class DecisionIn(Schema):
    note: str = ""
    amount: Decimal | None = Field(None, description="Approve: grant a different amount.")


class VoucherOut(Schema):
    id: int
    programme_id: int
    programme: str = Field(alias="programme.name_zh")
    firm_id: int
    amount: Decimal
    balance: Decimal
    expires_on: date
    status: str


class RedeemIn(Schema):
    order_id: int


class RedemptionOut(Schema):
    id: int
    voucher_id: int
    order_id: int
    order_amount: Decimal
    subsidy: Decimal
    firm_pays: Decimal
    status: str


class SettlementIn(Schema):
    programme_id: int
    provider_id: int


class SettlementOut(Schema):
    id: int
    programme_id: int
    provider_id: int
    amount: Decimal
    status: str
    orders: list[int]


class SettlementDecisionIn(Schema):
    reference: str = Field("", description="Pay: the payment's bank reference.")


class EntryOut(Schema):
    account: str
    kind: str
    debit: Decimal | None
    credit: Decimal | None


class TransactionOut(Schema):
    id: int
    programme_id: int
    kind: str
    reference: str
    memo: str
    reverses_id: int | None
    created_at: datetime
    entries: list[EntryOut]

    @staticmethod
    def resolve_entries(obj):
        return [
            {
                "account": e.account.code,
                "kind": e.account.kind,
                "debit": e.amount if e.amount > 0 else None,
                "credit": -e.amount if e.amount < 0 else None,
            }
            for e in obj.entries.all()
        ]


def page_of(item):
    class Page(Schema):
        count: int
        page: int
        page_size: int
        pages: int
        next: str | None
        previous: str | None
        results: list[item]

    Page.__name__ = f"{item.__name__.removesuffix('Out')}Page"
    return Page
