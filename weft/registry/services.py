"""Writes to the registry. Every change here is audited and keeps the search tokens current."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from weft.accounts.models import Membership, Organisation
from weft.accounts.permissions import can, forget_actor
from weft.accounts.selectors import user_by_name_or_email
from weft.audit.models import AuditRecord
from weft.audit.services import record_change, snapshot

from .geocoding import geocode
from .identifiers import validate_uscc
from .models import Certification, ChainStage, Cluster, ClusterMembership, Enterprise, IndustryCode
from .naming import set_name_keys
from .search import enterprise_search_text, enterprise_tokens

M2M_FIELDS = ("stages", "industry_codes", "certifications")


def size_band_for(employees: int | None) -> str:
    if employees is None:
        return ""
    if employees < 20:
        return Enterprise.SizeBand.MICRO
    if employees < 300:
        return Enterprise.SizeBand.SMALL
    if employees < 1000:
        return Enterprise.SizeBand.MEDIUM
    return Enterprise.SizeBand.LARGE


def refresh_search(enterprise: Enterprise, *, save: bool = True) -> None:
    enterprise.search_text = enterprise_search_text(enterprise)
    if enterprise.pk:
        clusters = enterprise.cluster_memberships.filter(
            status=ClusterMembership.Status.APPROVED
        ).values_list("cluster_id", flat=True)
        stages = enterprise.stages.values_list("code", flat=True)
        codes = enterprise.industry_codes.values_list("code", flat=True)
        certs = enterprise.certifications.values_list("code", flat=True)
    else:
        clusters = stages = codes = certs = []
    enterprise.search_tokens = enterprise_tokens(
        enterprise,
        cluster_ids=list(clusters),
        stage_codes=list(stages),
        industry_codes=list(codes),
        certification_codes=list(certs),
    )
    if save and enterprise.pk:
        Enterprise.objects.filter(pk=enterprise.pk).update(
            search_text=enterprise.search_text, search_tokens=enterprise.search_tokens
        )


def _resolve_codes(model, codes, label):
    codes = list(dict.fromkeys(codes or []))
    found = {o.code: o for o in model.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError(
            {label: _("Unknown %(what)s: %(codes)s") % {"what": label, "codes": ", ".join(unknown)}}
        )
    return [found[c] for c in codes]


def _apply_fields(enterprise: Enterprise, data: dict) -> dict:
    """Set scalar fields from `data`; return the m2m values to set after saving."""
    m2m = {}
    if "uscc" in data:
        raw = data.pop("uscc")
        if raw:
            result = validate_uscc(raw)
            if not result.valid:
                raise ValidationError({"uscc": [e["message"] for e in result.errors]})
            clash = Enterprise.objects.filter(uscc=result.code).exclude(pk=enterprise.pk).first()
            if clash:
                raise ValidationError(
                    {
                        "uscc": _("An enterprise with this code is already registered: %(name)s")
                        % {"name": clash.name_zh}
                    }
                )
            enterprise.uscc = result.code
        else:
            enterprise.uscc = None
    if "stages" in data:
        m2m["stages"] = _resolve_codes(ChainStage, data.pop("stages"), "stages")
    if "industry_codes" in data:
        m2m["industry_codes"] = _resolve_codes(
            IndustryCode, data.pop("industry_codes"), "industry_codes"
        )
    if "certifications" in data:
        m2m["certifications"] = _resolve_codes(
            Certification, data.pop("certifications"), "certifications"
        )
    address_changed = "address" in data and data["address"] != enterprise.address
    for key, value in data.items():
        setattr(enterprise, key, value)
    if address_changed or (enterprise.address and not enterprise.adcode):
        place = geocode(enterprise.address)
        enterprise.province, enterprise.city, enterprise.county = (
            place.province,
            place.city,
            place.county,
        )
        enterprise.adcode = place.adcode
        enterprise.latitude = (
            Decimal(str(round(place.latitude, 6))) if place.latitude is not None else None
        )
        enterprise.longitude = (
            Decimal(str(round(place.longitude, 6))) if place.longitude is not None else None
        )
        enterprise.geocode_precision = place.precision
    enterprise.size_band = size_band_for(enterprise.employees)
    set_name_keys(enterprise)
    return m2m


def _m2m_snapshot(enterprise: Enterprise) -> dict:
    if not enterprise.pk:
        return {}
    return {f: sorted(getattr(enterprise, f).values_list("code", flat=True)) for f in M2M_FIELDS}


def _stamp_provenance(enterprise: Enterprise, fields, user, org) -> None:
    now = timezone.now().isoformat()
    who = {
        "user": user.pk if user and user.is_authenticated else None,
        "org": org.pk if org else None,
        "at": now,
    }
    provenance = dict(enterprise.field_provenance or {})
    for f in fields:
        provenance[f] = who
    enterprise.field_provenance = provenance


@transaction.atomic
def create_enterprise(
    *,
    user,
    data: dict,
    source: str = Enterprise.Source.SELF,
    org: Organisation | None = None,
    cluster: Cluster | None = None,
) -> Enterprise:
    """Create a registry record. With `cluster`, the caller must be that cluster's office."""
    if not can(user, "registry.create_enterprise", cluster):
        raise PermissionDenied
    data = dict(data)
    enterprise = Enterprise(
        source=source, supplied_by=user, supplied_by_org=org, supplied_at=timezone.now()
    )
    m2m = _apply_fields(enterprise, data)
    enterprise.full_clean(exclude=["search_tokens"])
    _stamp_provenance(enterprise, list(data) + list(m2m), user, org)
    enterprise.save()
    for name, values in m2m.items():
        getattr(enterprise, name).set(values)
    if cluster is not None:
        ClusterMembership.objects.create(
            enterprise=enterprise,
            cluster=cluster,
            status=ClusterMembership.Status.APPROVED,
            requested_by=user,
            decided_by=user,
            decided_at=timezone.now(),
        )
    refresh_search(enterprise)
    record_change(
        actor=user,
        action=AuditRecord.Action.CREATE,
        obj=enterprise,
        after={**snapshot(enterprise, _audited_fields()), **_m2m_snapshot(enterprise)},
    )
    return enterprise


def _audited_fields() -> list[str]:
    skip = {
        "search_text",
        "search_tokens",
        "name_sort",
        "field_provenance",
        "updated_at",
        "created_at",
    }
    return [f.name for f in Enterprise._meta.concrete_fields if f.name not in skip]


@transaction.atomic
def update_enterprise(
    *, user, enterprise: Enterprise, data: dict, org: Organisation | None = None
) -> Enterprise:
    if not can(user, "registry.change_enterprise", enterprise):
        raise PermissionDenied
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    before = {**snapshot(enterprise, _audited_fields()), **_m2m_snapshot(enterprise)}
    data = dict(data)
    m2m = _apply_fields(enterprise, data)
    enterprise.full_clean(exclude=["search_tokens"])
    _stamp_provenance(enterprise, list(data) + list(m2m), user, org)
    enterprise.save()
    for name, values in m2m.items():
        getattr(enterprise, name).set(values)
    refresh_search(enterprise)
    record_change(
        actor=user,
        action=AuditRecord.Action.UPDATE,
        obj=enterprise,
        before=before,
        after={**snapshot(enterprise, _audited_fields()), **_m2m_snapshot(enterprise)},
    )
    return enterprise


@transaction.atomic
def register_enterprise(*, user, data: dict, cluster: Cluster | None = None) -> Organisation:
    """A person registers their firm: the registry record, its organisation, and them as owner.

    A code already in the registry is refused: a firm with an account invites its people, and a
    firm from an office's list is handed over by that office (`confirm_owner`), which knows who
    runs it. Its code is public, so typing it proves nothing.
    """
    if not user.is_authenticated:
        raise PermissionDenied
    data = dict(data)
    result = validate_uscc(data.get("uscc", ""))
    if not result.valid:
        raise ValidationError({"uscc": [e["message"] for e in result.errors]})
    existing = Enterprise.objects.filter(uscc=result.code).first()
    if existing is not None:
        raise ValidationError({"uscc": _already_listed(existing)})
    enterprise = create_enterprise(user=user, data=data, source=Enterprise.Source.SELF)
    org = give_firm(enterprise=enterprise, owner=user, actor=user)
    if cluster is not None:
        request_membership(user=user, enterprise=enterprise, cluster=cluster)
    return org


def _already_listed(enterprise: Enterprise) -> str:
    if Organisation.objects.filter(enterprise=enterprise).exists():
        return _("This firm is already registered on Weft; ask its administrators to invite you.")
    offices = list(
        Organisation.objects.filter(
            clusters_managed__memberships__enterprise=enterprise,
            clusters_managed__memberships__status=ClusterMembership.Status.APPROVED,
        )
        .distinct()
        .values_list("name_zh", flat=True)
    )
    if offices:
        return _(
            "This firm is already in the registry, listed by %(offices)s. Ask them to confirm "
            "you as its owner: they know the firm, and its code alone proves nothing."
        ) % {"offices": ("、" if get_language().startswith("zh") else ", ").join(offices)}
    return _(
        "This firm is already in the registry. Ask the platform's operator to confirm you as its "
        "owner: its code alone proves nothing."
    )


@transaction.atomic
def confirm_owner(*, user, enterprise: Enterprise, username_or_email: str) -> Organisation:
    """The firm's cluster office (or the operator) hands a firm nobody speaks for to the person
    who runs it, who becomes the owner of its new organisation."""
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if not can(user, "registry.confirm_owner", enterprise):
        raise PermissionDenied
    owner = user_by_name_or_email(username_or_email)
    if owner is None:
        raise ValidationError(_("No user is called %(who)s.") % {"who": username_or_email})
    return give_firm(enterprise=enterprise, owner=owner, actor=user)


def give_firm(*, enterprise: Enterprise, owner, actor) -> Organisation:
    """The firm's organisation, with `owner` as its owner (checked by the callers)."""
    org = Organisation.objects.create(
        kind=Organisation.Kind.ENTERPRISE,
        name_zh=enterprise.name_zh,
        name_en=enterprise.name_en,
        enterprise=enterprise,
    )
    membership = Membership.objects.create(user=owner, organisation=org, role=Membership.Role.OWNER)
    record_change(
        actor=actor,
        action=AuditRecord.Action.CREATE,
        obj=membership,
        after={"user": owner.pk, "organisation": org.pk, "role": membership.role},
    )
    forget_actor(owner)  # they now own this firm; permissions cached earlier predate that
    return org


@transaction.atomic
def request_membership(*, user, enterprise: Enterprise, cluster: Cluster) -> ClusterMembership:
    if not can(user, "registry.request_membership", enterprise):
        raise PermissionDenied
    membership, created = ClusterMembership.objects.get_or_create(
        enterprise=enterprise, cluster=cluster, defaults={"requested_by": user}
    )
    if not created:
        if membership.status == ClusterMembership.Status.APPROVED:
            raise ValidationError(
                _("This firm is already a member of %(cluster)s.") % {"cluster": cluster.name}
            )
        if membership.status == ClusterMembership.Status.PENDING:
            raise ValidationError(
                _("A request to join %(cluster)s is already waiting.") % {"cluster": cluster.name}
            )
        before = snapshot(membership)
        membership.status = ClusterMembership.Status.PENDING
        membership.requested_by, membership.decided_by, membership.decided_at = user, None, None
        membership.save()
        record_change(
            actor=user,
            action=AuditRecord.Action.UPDATE,
            obj=membership,
            before=before,
            after=snapshot(membership),
        )
    else:
        record_change(
            actor=user, action=AuditRecord.Action.CREATE, obj=membership, after=snapshot(membership)
        )
    return membership


@transaction.atomic
def decide_membership(
    *, user, membership: ClusterMembership, approve: bool, note: str = ""
) -> ClusterMembership:
    if not can(user, "registry.decide_membership", membership):
        raise PermissionDenied
    membership = ClusterMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != ClusterMembership.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    before = snapshot(membership)
    membership.status = (
        ClusterMembership.Status.APPROVED if approve else ClusterMembership.Status.REJECTED
    )
    membership.decided_by, membership.decided_at, membership.note = user, timezone.now(), note[:300]
    membership.save()
    record_change(
        actor=user,
        action=AuditRecord.Action.UPDATE,
        obj=membership,
        before=before,
        after=snapshot(membership),
        reason=note,
    )
    refresh_search(membership.enterprise)
    return membership
