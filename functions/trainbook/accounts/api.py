"""REST routes of the accounts context: register, sign in, and the caller's own profile (/me).

`/auth/register` and `/auth/login` are public; `/me` sits behind the Lambda authorizer, which puts
the caller's id and role in the request context. Nobody changes their own role here.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from trainbook.accounts import commands
from trainbook.accounts.domain import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, User
from trainbook.accounts.passwords import Passwords
from trainbook.accounts.store import DynamoUsers
from trainbook.accounts.tokens import AccessToken, access_tokens
from trainbook.api.identity import identity_of
from trainbook.eventstore.events import Meta

router = Router()
passwords = Passwords()


@cache
def users() -> DynamoUsers:
    return DynamoUsers()


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
    expires_in: int = Field(description="seconds until the access token expires; then sign in again")
    user: UserView

    @classmethod
    def of(cls, user: User, token: AccessToken) -> SessionView:
        return cls(access_token=token.token, expires_in=token.expires_in, user=UserView.of(user))


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
    user = commands.register(
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
    session = SessionView.of(user, access_tokens().issue(user.id, user.role))
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=session,
        headers={"Location": "/me"},
    )


@router.post(
    "/auth/login",
    summary="Sign in with e-mail and password",
    tags=["accounts"],
    responses={
        200: {"description": "an access token and the account"},
        401: {"description": "wrong e-mail or password (one answer for both)"},
    },
)
def login(body: LoginRequest) -> SessionView:
    user = commands.sign_in(users(), passwords, body.email, body.password)
    return SessionView.of(user, access_tokens().issue(user.id, user.role))


@router.get("/me", summary="The signed-in user's account", tags=["accounts"])
def me() -> UserView:
    return UserView.of(commands.profile(users(), _caller_id()))


@router.patch(
    "/me",
    summary="Change the signed-in user's profile (not the role)",
    tags=["accounts"],
    responses={200: {"description": "the account as changed"}, 400: {"description": "invalid field"}},
)
def update_me(body: ProfileUpdate) -> UserView:
    return UserView.of(commands.update_profile(users(), _caller_id(), body.changes()))


def _caller_id() -> str:
    return identity_of(router.current_event.raw_event.get("requestContext") or {}).user_id


def _request_id() -> str:
    request_context = router.current_event.raw_event.get("requestContext") or {}
    return str(request_context.get("requestId", ""))
