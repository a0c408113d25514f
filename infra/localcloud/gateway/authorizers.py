"""Lambda authorizers (TOKEN and REQUEST) as API Gateway runs them, with its 401/403 answers."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

from localcloud.gateway.config import Authorizer
from localcloud.gateway.invoker import LambdaInvoker


@dataclass
class Decision:
    """Allowed with a context for the function, or refused with API Gateway's status and message."""

    status: int = 200
    message: str = ""
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return self.status == 200


UNAUTHORIZED = Decision(401, "Unauthorized")
DENIED = Decision(403, "User is not authorized to access this resource with an explicit deny")


def identity_present(authorizer: Authorizer, headers: dict[str, str], query: dict[str, str]) -> bool:
    """API Gateway answers 401 without calling the function when an identity source is missing."""
    lowered = {key.lower(): value for key, value in headers.items()}
    for source in authorizer.identity_sources:
        kind, _, name = source.rpartition(".")
        if kind.endswith("header") and not lowered.get(name.lower()):
            return False
        if kind.endswith("querystring") and not query.get(name):
            return False
    return True


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    statements = policy.get("Statement") or []
    return statements if isinstance(statements, list) else [statements]


def _matches(statement: dict[str, Any], method_arn: str) -> bool:
    resources = statement.get("Resource") or []
    for resource in resources if isinstance(resources, list) else [resources]:
        if fnmatch.fnmatchcase(method_arn, str(resource).replace("?", "[?]")):
            return True
    return False


async def decide(invoker: LambdaInvoker, authorizer: Authorizer, event: dict[str, Any]) -> Decision:
    result = await invoker.invoke(authorizer.function, event)
    if result.function_error:
        # The function says "Unauthorized" to get a 401; anything else is a broken authorizer.
        return UNAUTHORIZED if result.error_message == "Unauthorized" else Decision(500, "")
    answer = result.payload if isinstance(result.payload, dict) else {}
    statements = _statements(answer.get("policyDocument") or {})
    arn = str(event.get("methodArn", ""))
    if any(s.get("Effect") == "Deny" and _matches(s, arn) for s in statements):
        return DENIED
    if not any(s.get("Effect") == "Allow" and _matches(s, arn) for s in statements):
        return DENIED
    context = dict(answer.get("context") or {})
    context["principalId"] = answer.get("principalId", "")
    return Decision(context=context)
