"""What the runtime needs to know about one function, as read from the translated template."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FunctionSpec:
    """One AWS::Lambda::Function with every intrinsic already resolved."""

    logical_id: str
    name: str
    arn: str
    handler: str
    code_dir: str
    runtime: str = "python3.12"
    timeout: int = 3
    memory_mb: int = 128
    environment: dict[str, str] = field(default_factory=dict)
    # Only stream triggers with a batching window invoke it: its workers run at a lower CPU priority.
    background: bool = False
    # LoggingConfig.LogGroup; empty: Lambda's default, /aws/lambda/<name> (`group`).
    log_group: str = ""

    @property
    def group(self) -> str:
        return self.log_group or f"/aws/lambda/{self.name}"

    def to_json(self) -> dict[str, Any]:
        return {
            "logical_id": self.logical_id,
            "name": self.name,
            "arn": self.arn,
            "handler": self.handler,
            "code_dir": self.code_dir,
            "runtime": self.runtime,
            "timeout": self.timeout,
            "memory_mb": self.memory_mb,
            "environment": self.environment,
            "background": self.background,
            "log_group": self.log_group,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FunctionSpec:
        return cls(**data)


@dataclass(frozen=True)
class InvokeResult:
    """What Lambda's Invoke API answers: a payload and, for an uncaught error, FunctionError."""

    payload: bytes
    function_error: str | None = None
    logs: str = ""
    cold_start: bool = False
    duration_ms: float = 0.0
