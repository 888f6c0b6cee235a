"""Writes for events, competitions, news and regional brands (permission, validation, one
transaction, an audit record)."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weft.accounts.permissions import can
from weft.audit.models import AuditRecord
from weft.audit.services import record_change, snapshot
from weft.talent.services import check_image

from .models import BrandLicence, Entry, Event, NewsPost, RegionalBrand, Score


def _require(user, action, obj, message):
    if not can(user, action, obj):
        raise PermissionDenied(message)


@transaction.atomic
def create_event(*, user, cluster, data: dict) -> Event:
    if cluster is None:
        # A national event is organised by the operator organisation the user acts for.
        if _operator_org(user) is None:
            raise PermissionDenied(_("Only the operator publishes national events."))
    else:
        _require(
            user, "events.publish", cluster, _("Only the cluster office publishes its events.")
        )
    if data.get("starts_at") and data.get("ends_at") and data["ends_at"] < data["starts_at"]:
        raise ValidationError({"ends_at": _("An event cannot end before it starts.")})
    organiser = cluster.office if cluster is not None else _operator_org(user)
    event = Event(cluster=cluster, organiser=organiser, created_by=user, **data)
    event.full_clean()
    event.save()
    record_change(actor=user, action=AuditRecord.Action.CREATE, obj=event, after=snapshot(event))
    return event


def _operator_org(user):
    from weft.accounts.models import Organisation
    from weft.accounts.permissions import actor_for

    ids = actor_for(user).org_ids(kind=Organisation.Kind.OPERATOR)
    return Organisation.objects.filter(pk__in=ids).first()


@transaction.atomic
def set_judges(*, user, event: Event, judges) -> None:
    _require(user, "events.manage", event, _("Only the organiser chooses the judges."))
    event.judges.set(judges)
    record_change(
        actor=user,
        action=AuditRecord.Action.UPDATE,
        obj=event,
        before={},
        after={"judges": sorted(j.pk for j in judges)},
    )


def submit_entry(*, user, event: Event, title: str, statement: str, upload) -> Entry:
    _require(user, "events.enter", event, _("Sign in to enter a design competition."))
    if event.entries_close_at and timezone.now() > event.entries_close_at:
        raise ValidationError(_("Entries to this competition are closed."))
    if not title.strip():
        raise ValidationError({"title": _("Give your design a title.")})
    content_type = check_image(upload)
    try:
        with transaction.atomic():
            entry = Entry(
                event=event,
                entrant=user,
                title=title.strip()[:200],
                statement=statement[:4000],
                content_type=content_type,
            )
            entry.image.save(upload.name.rsplit("/", 1)[-1][-80:], upload, save=False)
            entry.save()
            record_change(
                actor=user,
                action=AuditRecord.Action.CREATE,
                obj=entry,
                after={"event": event.pk, "title": entry.title, "image": entry.image.name},
            )
    except IntegrityError:
        raise ValidationError(_("You have already entered this competition.")) from None
    return entry


@transaction.atomic
def score_entry(*, user, entry: Entry, points: int, comment: str = "") -> Score:
    _require(user, "events.judge", entry.event, _("Only the competition's judges score entries."))
    if entry.event.results_published:
        raise ValidationError(_("The results are published; scores are final."))
    if entry.entrant_id == user.pk:
        raise ValidationError(_("Judges do not score their own entries."))
    if not isinstance(points, int) or not 0 <= points <= 100:
        raise ValidationError({"points": _("Points are a whole number from 0 to 100.")})
    score, created = Score.objects.update_or_create(
        entry=entry, judge=user, defaults={"points": points, "comment": comment[:300]}
    )
    record_change(
        actor=user,
        action=AuditRecord.Action.CREATE if created else AuditRecord.Action.UPDATE,
        obj=score,
        before={},
        after=snapshot(score),
    )
    return score


def results(event: Event) -> list[dict]:
    """Entries ranked by mean score (one decimal, half up); entries nobody scored come last."""
    rows = []
    for entry in event.entries.prefetch_related("scores").select_related("entrant"):
        points = [s.points for s in entry.scores.all()]
        mean = (
            (Decimal(sum(points)) / len(points)).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if points
            else None
        )
        rows.append({"entry": entry, "mean": mean, "judges": len(points)})
    rows.sort(key=lambda r: (r["mean"] is None, -(r["mean"] or 0), r["entry"].submitted_at))
    rank = 0
    previous = object()
    for i, row in enumerate(rows, 1):
        if row["mean"] != previous:
            rank = i  # equal means share a rank
        previous = row["mean"]
        row["rank"] = rank if row["mean"] is not None else None
    return rows


@transaction.atomic
def publish_results(*, user, event: Event) -> Event:
    _require(user, "events.manage", event, _("Only the organiser publishes results."))
    if event.kind != Event.Kind.COMPETITION:
        raise ValidationError(_("Only a competition has results."))
    if not Score.objects.filter(entry__event=event).exists():
        raise ValidationError(_("No entry has been scored yet."))
    event.results_published = True
    event.save(update_fields=["results_published"])
    record_change(
        actor=user,
        action=AuditRecord.Action.UPDATE,
        obj=event,
        before={"results_published": False},
        after={"results_published": True},
    )
    return event


@transaction.atomic
def post_news(*, user, org, cluster, title: str, body: str) -> NewsPost:
    _require(user, "events.post_news", org, _("Cluster offices and the operator post news."))
    if cluster is not None and org.kind == "cluster_office" and cluster.office_id != org.pk:
        raise ValidationError({"cluster": _("An office posts news of its own cluster only.")})
    if not title.strip() or not body.strip():
        raise ValidationError(_("A news post needs a title and a text."))
    post = NewsPost.objects.create(
        author_org=org,
        cluster=cluster,
        title=title.strip()[:200],
        body=body,
        published_at=timezone.now(),
        created_by=user,
    )
    record_change(actor=user, action=AuditRecord.Action.CREATE, obj=post, after=snapshot(post))
    return post


@transaction.atomic
def save_brand(*, user, cluster, data: dict) -> RegionalBrand:
    _require(user, "events.manage_brand", cluster, _("Only the cluster office keeps its brand."))
    brand = RegionalBrand.objects.filter(cluster=cluster).first()
    before = snapshot(brand) if brand else {}
    brand = brand or RegionalBrand(cluster=cluster)
    for key in ("name", "story", "trademark", "trademark_number", "trademark_classes"):
        if key in data:
            setattr(brand, key, data[key])
    brand.full_clean()
    brand.save()
    record_change(
        actor=user,
        action=AuditRecord.Action.UPDATE if before else AuditRecord.Action.CREATE,
        obj=brand,
        before=before,
        after=snapshot(brand),
    )
    return brand


@transaction.atomic
def grant_licence(*, user, brand: RegionalBrand, enterprise, products: str) -> BrandLicence:
    _require(
        user, "events.manage_brand", brand.cluster, _("Only the cluster office grants its mark.")
    )
    from weft.registry.models import ClusterMembership

    if not ClusterMembership.objects.filter(
        enterprise=enterprise, cluster=brand.cluster, status=ClusterMembership.Status.APPROVED
    ).exists():
        raise ValidationError(_("Only member firms of the cluster may use its collective mark."))
    if not products.strip():
        raise ValidationError({"products": _("Name the products that may carry the mark.")})
    licence, _created = BrandLicence.objects.update_or_create(
        brand=brand,
        enterprise=enterprise,
        defaults={"products": products.strip()[:300], "granted_on": timezone.localdate()},
    )
    record_change(
        actor=user, action=AuditRecord.Action.CREATE, obj=licence, after=snapshot(licence)
    )
    return licence
