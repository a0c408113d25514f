"""Lambda's Invoke API on moto's server runs the template's code in warm workers instead of Docker."""

from __future__ import annotations

import base64
import logging
import threading
from typing import Any

from moto.awslambda.models import LambdaFunction

from localcloud.layer.patching import Patches
from localcloud.runtime.pool import Runtime
from localcloud.runtime.worker import event_of

log = logging.getLogger("localcloud.lambda")

LOG_TAIL_BYTES = 4096  # AWS returns the last 4 KB of the log with LogType=Tail


def patch_lambda_invoke(patches: Patches, runtime: Runtime) -> None:
    original_invoke = LambdaFunction.invoke

    def invoke(self: LambdaFunction, body: str, request_headers: Any, response_headers: Any) -> bytes:
        if runtime.pool(self.function_name) is None:
            answer = original_invoke(self, body, request_headers, response_headers)
            return answer.encode() if isinstance(answer, str) else answer
        event = event_of(body)  # its text goes to the worker as it came
        if request_headers.get("x-amz-invocation-type") == "Event":
            threading.Thread(target=runtime.invoke, args=(self.function_name, event), daemon=True).start()
            return b""
        result = runtime.invoke(self.function_name, event)
        if result.function_error:
            response_headers["x-amz-function-error"] = result.function_error
        response_headers["x-amz-executed-version"] = "$LATEST"
        tail = result.logs.encode()[-LOG_TAIL_BYTES:]
        response_headers["x-amz-log-result"] = base64.b64encode(tail).decode()
        return result.payload

    patches.replace(LambdaFunction, "invoke", invoke)
