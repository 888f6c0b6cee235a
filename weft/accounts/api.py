"""Authentication endpoints: API tokens."""

from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from weft.core.api import ApiError
from weft.core.auth import REQUIRED_AUTH, current_user

from . import services
from .models import ApiToken

router = Router(tags=["auth"])


class TokenRequest(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=256)
    name: str = Field("", max_length=100)


class TokenCreated(Schema):
    id: int
    token: str = Field(..., description="The secret. It is shown only this once.")
    prefix: str
    name: str


class TokenOut(Schema):
    id: int
    prefix: str
    name: str
    created_at: str
    last_used_at: str | None
    active: bool


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    organisations: list[dict]


@router.post("/auth/tokens", response={201: TokenCreated}, auth=None, summary="Get a bearer token")
def create_token(request, payload: TokenRequest):
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise ApiError(401, "bad_credentials", _("The username or password is wrong."))
    token, secret = services.issue_token(user=user, name=payload.name)
    return Status(
        201, {"id": token.pk, "token": secret, "prefix": token.prefix, "name": token.name}
    )


@router.get("/auth/tokens", response=list[TokenOut], auth=REQUIRED_AUTH, summary="My tokens")
def list_tokens(request):
    user = current_user(request)
    return [
        {
            "id": t.pk,
            "prefix": t.prefix,
            "name": t.name,
            "created_at": t.created_at.isoformat(),
            "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
            "active": t.is_active,
        }
        for t in ApiToken.objects.filter(user=user)
    ]


@router.delete(
    "/auth/tokens/{token_id}", response={204: None}, auth=REQUIRED_AUTH, summary="Revoke a token"
)
def revoke_token(request, token_id: int):
    user = current_user(request)
    # Someone else's token id answers exactly like a missing one.
    token = get_object_or_404(ApiToken, pk=token_id, user=user)
    services.revoke_token(user=user, token=token)
    return Status(204, None)


@router.get("/me", response=MeOut, auth=REQUIRED_AUTH, summary="Who am I")
def me(request):
    user = current_user(request)
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "organisations": [
            {
                "id": m.organisation_id,
                "kind": m.organisation.kind,
                "name": m.organisation.name_zh,
                "role": m.role,
            }
            for m in user.memberships.select_related("organisation")
        ],
    }
