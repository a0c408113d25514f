"""REST routes of the accounts context: register, sign in, refresh, sign out, the caller's profile (/me).

`/auth/*` are public; `/me` sits behind the Lambda authorizer, which puts the caller's id, role and
session in the request context. Nobody changes their own role here. A sign-in answers a short access
token (15 min) and a refresh token (30 days, rotated on every use), the latter also as an httpOnly
cookie for the web app (docs/decisions.md). Failed sign-ins are throttled per account and address.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.shared.cookies import Cookie, SameSite
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from trainbook.accounts import service
from trainbook.accounts.domain import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, User
from trainbook.accounts.errors import InvalidCredentials, InvalidRefreshToken
from trainbook.accounts.sessions import REFRESH_TTL, Session
from trainbook.accounts.tokens import AccessToken, access_tokens
from trainbook.accounts.wiring import passwords, sessions, throttle, users
from trainbook.eventstore.events import Meta
from trainbook.web.identity import identity_of

router = Router()


REFRESH_COOKIE = "trainbook_refresh"
# The web app is served at / with the API under /api/: the cookie goes to the /auth routes only.
REFRESH_COOKIE_PATH = os.environ.get("REFRESH_COOKIE_PATH", "/api/auth")


Email = Annotated[str, Field(min_length=3, max_length=254, examples=["ala.nowak@example.com"])]
Name = Annotated[str, Field(min_length=1, max_length=100, examples=["Ala Nowak"])]
DisplayName = Annotated[str, Field(min_length=1, max_length=40, examples=["Ala"])]
Phone = Annotated[str, Field(max_length=32, examples=["+48 600 100 200"])]
DiscountCode = Annotated[
    str,
    Field(
        max_length=8,
        examples=["U51"],
        description="a statutory discount code (NORMAL, U37, U49, U51, U78, U93, U95, U100)",
    ),
]


class RegisterRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    password: Annotated[
        str,
        Field(
            min_length=PASSWORD_MIN_LENGTH,
            max_length=PASSWORD_MAX_LENGTH,
            description="at least 10 characters, mixing at least two of: letters, capitals, digits, symbols",
        ),
    ]
    name: Name = Field(description="full name, as printed on tickets")
    display_name: DisplayName | None = None
    phone: Phone | None = None
    default_discount: DiscountCode | None = None


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    password: Annotated[str, Field(min_length=1, max_length=PASSWORD_MAX_LENGTH)]


class ProfileUpdate(BaseModel):
    """The fields to change; a field left out stays as it is, `null` clears phone or discount."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    display_name: DisplayName | None = None
    phone: Phone | None = None
    default_discount: DiscountCode | None = None
    language: Literal["pl", "en"] | None = Field(default=None, description="language of notices: pl or en")

    @model_validator(mode="before")
    @classmethod
    def role_is_not_self_service(cls, data: Any) -> Any:
        if isinstance(data, dict) and "role" in data:
            raise PydanticCustomError(
                "role_not_changeable", "your role cannot be changed from your profile; ask an administrator"
            )
        return data

    @model_validator(mode="after")
    def names_are_not_cleared(self) -> ProfileUpdate:
        for field in ("name", "display_name", "language"):
            if field in self.model_fields_set and getattr(self, field) is None:
                raise PydanticCustomError("name_required", "{field} cannot be removed", {"field": field})
        return self

    def changes(self) -> dict[str, str | None]:
        return {field: getattr(self, field) for field in self.model_fields_set}


class UserView(BaseModel):
    id: str
    email: str
    name: str
    display_name: str
    role: Literal["passenger", "admin"]
    phone: str | None
    default_discount: str | None
    created_at: datetime
    language: Literal["pl", "en"] = "pl"

    @classmethod
    def of(cls, user: User) -> UserView:
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            display_name=user.display_name,
            role=user.role.value,
            phone=user.phone,
            default_discount=user.default_discount,
            created_at=user.created_at,
            language="en" if user.language == "en" else "pl",
        )


class SessionView(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(description="seconds until the access token expires; then POST /auth/refresh")
    refresh_token: str = Field(
        description="single use, 30 days: POST /auth/refresh answers a new one (also an httpOnly cookie)"
    )
    refresh_expires_in: int
    user: UserView

    @classmethod
    def of(cls, user: User, token: AccessToken, session: Session) -> SessionView:
        return cls(
            access_token=token.token,
            expires_in=token.expires_in,
            refresh_token=session.refresh_token,
            refresh_expires_in=int(REFRESH_TTL.total_seconds()),
            user=UserView.of(user),
        )


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str | None = Field(
        default=None, min_length=1, max_length=200, description="or the trainbook_refresh cookie"
    )


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: Annotated[str, Field(min_length=1, max_length=PASSWORD_MAX_LENGTH)]
    new_password: Annotated[str, Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)]


def _signed_in(user: User, status: int = 200, headers: dict[str, str] | None = None) -> Response[SessionView]:
    """A new session for the user: access token, refresh token in the body and in the cookie."""
    session = sessions().start(user.id)
    return _session_answer(user, session, status, headers)


def _session_answer(
    user: User, session: Session, status: int = 200, headers: dict[str, str] | None = None
) -> Response[SessionView]:
    token = access_tokens().issue(user.id, user.role, session.family_id)
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=SessionView.of(user, token, session),
        headers=headers,
        cookies=[_refresh_cookie(session.refresh_token, int(REFRESH_TTL.total_seconds()))],
    )


def _refresh_cookie(value: str, max_age: int) -> Cookie:
    return Cookie(
        name=REFRESH_COOKIE,
        value=value,
        path=REFRESH_COOKIE_PATH,
        secure=True,
        http_only=True,
        max_age=max_age,
        same_site=SameSite.STRICT_MODE,
    )


def _presented_refresh_token(body: RefreshRequest | None) -> str | None:
    if body is not None and body.refresh_token:
        return body.refresh_token
    headers = router.current_event.raw_event.get("multiValueHeaders") or {}
    cookies = [str(v) for name, values in headers.items() if name.lower() == "cookie" for v in values or []]
    for header in cookies:
        for part in header.split(";"):
            name, _, value = part.strip().partition("=")
            if name == REFRESH_COOKIE and value:
                return value
    return None


@router.post(
    "/auth/register",
    status_code=201,
    summary="Create a passenger account and sign in",
    tags=["accounts"],
    responses={
        201: {"description": "the new account and an access token"},
        400: {"description": "invalid e-mail, weak password or invalid profile field"},
        409: {"description": "the e-mail already has an account"},
    },
)
def register(body: RegisterRequest) -> Response[SessionView]:
    user = service.register(
        users(),
        passwords,
        email=body.email,
        password=body.password,
        name=body.name,
        display_name=body.display_name,
        phone=body.phone,
        default_discount=body.default_discount,
        meta=Meta(correlation_id=_request_id(), actor="self-registration"),
    )
    return _signed_in(user, 201, {"Location": "/me"})


@router.post(
    "/auth/login",
    summary="Sign in with e-mail and password",
    tags=["accounts"],
    responses={
        200: {"description": "an access token, a refresh token and the account"},
        401: {"description": "wrong e-mail or password (one answer for both)"},
        429: {"description": "too many failed sign-ins for this account or from this address"},
    },
)
def login(body: LoginRequest) -> Response[SessionView]:
    address = _client_address()
    throttle().check(body.email, address)
    try:
        user = service.sign_in(users(), passwords, body.email, body.password)
    except InvalidCredentials:
        throttle().failed(body.email, address)
        raise
    return _signed_in(user)


@router.post(
    "/auth/refresh",
    summary="A new access token (and a new refresh token) for a refresh token",
    tags=["accounts"],
    responses={
        200: {"description": "a new access token and a new refresh token (the one sent is spent)"},
        401: {"description": "invalid, expired, signed out or reused (a reuse signs the session out)"},
    },
)
def refresh(body: RefreshRequest | None = None) -> Response[SessionView]:
    token = _presented_refresh_token(body)
    if token is None:
        raise InvalidRefreshToken("send the refresh token (body or cookie)")
    session = sessions().refresh(token)
    return _session_answer(service.profile(users(), session.user_id), session)


@router.post(
    "/auth/logout",
    summary="Sign out: the refresh token's session can no longer be refreshed",
    tags=["accounts"],
    responses={204: {"description": "signed out (also when the token was unknown)"}},
)
def logout(body: RefreshRequest | None = None) -> Response[None]:
    token = _presented_refresh_token(body)
    if token is not None:
        sessions().end(token)
    return Response(204, None, None, cookies=[_refresh_cookie("", 0)])


@router.post(
    "/me/password",
    summary="Change the password: every other session is signed out",
    tags=["accounts"],
    responses={
        204: {"description": "changed; this session stays signed in, every other one is signed out"},
        400: {"description": "wrong current password or weak new password"},
    },
)
def change_password(body: PasswordChange) -> Response[None]:
    caller = identity_of(router.current_event.raw_event.get("requestContext") or {})
    service.change_password(users(), passwords, caller.user_id, body.current_password, body.new_password)
    sessions().store.revoke_others(caller.user_id, caller.session_id)
    return Response(204, None, None)


@router.get("/me", summary="The signed-in user's account", tags=["accounts"])
def me() -> UserView:
    return UserView.of(service.profile(users(), _caller_id()))


@router.patch(
    "/me",
    summary="Change the signed-in user's profile (not the role)",
    tags=["accounts"],
    responses={200: {"description": "the account as changed"}, 400: {"description": "invalid field"}},
)
def update_me(body: ProfileUpdate) -> UserView:
    return UserView.of(service.update_profile(users(), _caller_id(), body.changes()))


def _caller_id() -> str:
    return identity_of(router.current_event.raw_event.get("requestContext") or {}).user_id


def _client_address() -> str:
    identity = (router.current_event.raw_event.get("requestContext") or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def _request_id() -> str:
    request_context = router.current_event.raw_event.get("requestContext") or {}
    return str(request_context.get("requestId", ""))
