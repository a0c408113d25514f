"""Who is calling: the user id and role the Lambda authorizer put in the request context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trainbook.errors import DomainError


class Unauthenticated(DomainError):
    code = "unauthenticated"
    status = 401


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


@dataclass(frozen=True)
class Identity:
    user_id: str
    role: str  # "passenger" or "admin"
    session_id: str | None = None  # the sign-in session of the access token

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def identity_of(request_context: dict[str, Any]) -> Identity:
    """The caller, from `requestContext.authorizer` (context values arrive as strings)."""
    authorizer = request_context.get("authorizer") or {}
    user_id, role = authorizer.get("user_id"), authorizer.get("role")
    if not user_id or role not in ("passenger", "admin"):
        raise Unauthenticated("sign in first: this route needs a valid access token")
    return Identity(str(user_id), str(role), str(authorizer.get("session_id") or "") or None)


def require_admin(identity: Identity) -> Identity:
    if not identity.is_admin:
        raise Forbidden("this route is for administrators")
    return identity


def stage_wildcard(method_arn: str) -> str | None:
    """`arn:aws:execute-api:<region>:<account>:<api>/<stage>/*` for any method ARN of that stage."""
    parts = method_arn.split(":", 5)
    if len(parts) != 6 or parts[:3] != ["arn", "aws", "execute-api"]:
        return None
    api_id, _, rest = parts[5].partition("/")
    stage = rest.split("/", 1)[0]
    if not api_id or not stage:
        return None
    return ":".join(parts[:5]) + f":{api_id}/{stage}/*"
