"""Writes for accounts: tokens, organisations and their members."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weft.audit.models import AuditRecord
from weft.audit.services import record_change, snapshot

from .models import ApiToken, Membership, Organisation, User
from .permissions import can
from .selectors import user_by_name_or_email


def issue_token(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token; the secret is returned once and only its hash is kept."""
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=secret[4 : 4 + ApiToken.PREFIX_LEN],
        digest=ApiToken.hash(secret),
    )
    return token, secret


def revoke_token(*, user: User, token: ApiToken) -> None:
    if token.user_id != user.pk:
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


@transaction.atomic
def create_organisation(*, user: User, kind: str, name_zh: str, name_en: str = "") -> Organisation:
    """Service providers create their organisation themselves; offices and operators are set up by the operator."""
    if kind not in (Organisation.Kind.SERVICE_PROVIDER,) and not can(
        user, "accounts.manage_organisation", Organisation(pk=0)
    ):
        raise PermissionDenied
    org = Organisation.objects.create(kind=kind, name_zh=name_zh, name_en=name_en)
    membership = Membership.objects.create(user=user, organisation=org, role=Membership.Role.OWNER)
    record_change(actor=user, action=AuditRecord.Action.CREATE, obj=org, after=snapshot(org))
    record_change(
        actor=user, action=AuditRecord.Action.CREATE, obj=membership, after=snapshot(membership)
    )
    return org


def _owner_count(org: Organisation) -> int:
    return org.memberships.filter(role=Membership.Role.OWNER).count()


@transaction.atomic
def add_member(
    *, user: User, organisation: Organisation, username_or_email: str, role: str
) -> Membership:
    if not can(user, "accounts.manage_organisation", organisation):
        raise PermissionDenied
    if role == Membership.Role.OWNER and not can(user, "accounts.change_owner_role", organisation):
        raise PermissionDenied
    target = user_by_name_or_email(username_or_email)
    if target is None:
        raise ValidationError(_("No user is called %(who)s.") % {"who": username_or_email})
    if Membership.objects.filter(user=target, organisation=organisation).exists():
        raise ValidationError(_("%(who)s is already a member.") % {"who": target.username})
    membership = Membership.objects.create(user=target, organisation=organisation, role=role)
    record_change(
        actor=user, action=AuditRecord.Action.CREATE, obj=membership, after=snapshot(membership)
    )
    return membership


@transaction.atomic
def change_role(*, user: User, membership: Membership, role: str) -> Membership:
    org = membership.organisation
    if not can(user, "accounts.manage_organisation", org):
        raise PermissionDenied
    touches_owner = Membership.Role.OWNER in (role, membership.role)
    if touches_owner and not can(user, "accounts.change_owner_role", org):
        raise PermissionDenied
    if (
        membership.role == Membership.Role.OWNER
        and role != Membership.Role.OWNER
        and _owner_count(org) == 1
    ):
        raise ValidationError(_("An organisation needs at least one owner."))
    before = snapshot(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    record_change(
        actor=user,
        action=AuditRecord.Action.UPDATE,
        obj=membership,
        before=before,
        after=snapshot(membership),
    )
    return membership


@transaction.atomic
def remove_member(*, user: User, membership: Membership) -> None:
    org = membership.organisation
    leaving_self = membership.user_id == user.pk
    if not leaving_self and not can(user, "accounts.manage_organisation", org):
        raise PermissionDenied
    if membership.role == Membership.Role.OWNER:
        if not leaving_self and not can(user, "accounts.change_owner_role", org):
            raise PermissionDenied
        if _owner_count(org) == 1:
            raise ValidationError(_("An organisation needs at least one owner."))
    record_change(
        actor=user, action=AuditRecord.Action.DELETE, obj=membership, before=snapshot(membership)
    )
    membership.delete()


@transaction.atomic
def sign_up(*, user: User) -> User:
    """Save an account built by the sign-up form (its password already hashed) and audit it."""
    user.save()
    record_change(
        actor=user,
        action=AuditRecord.Action.CREATE,
        obj=user,
        after={"username": user.username, "email": user.email, "display_name": user.display_name},
    )
    return user


PROFILE_FIELDS = ("display_name", "email", "language")


@transaction.atomic
def update_profile(*, user: User, data: dict) -> User:
    """A person changes their own display name, email or language."""
    before = snapshot(user, list(PROFILE_FIELDS))
    for key in PROFILE_FIELDS:
        if key in data:
            setattr(user, key, data[key])
    user.save(update_fields=[k for k in PROFILE_FIELDS if k in data])
    record_change(
        actor=user,
        action=AuditRecord.Action.UPDATE,
        obj=user,
        before=before,
        after=snapshot(user, list(PROFILE_FIELDS)),
    )
    return user
