"""One Lambda worker process: imports the template's handler once, then serves invocations over a pipe.

Protocol: JSON lines. Requests arrive on stdin; answers leave on the original stdout, which is kept
private (fd 1 is pointed at stderr) so that prints from handler code cannot corrupt it.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import sys
import threading
import time
import traceback
from typing import Any, TextIO

# On the worker's command line (from LOCALCLOUD_SIGV4=full in the engine's environment): sign with HMACs.
FULL_SIGV4_FLAG = "--full-sigv4"


class LambdaContext:
    """The attributes of AWS's context object that handlers and Powertools read."""

    def __init__(self, request: dict[str, Any]) -> None:
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = str(request["function_arn"])
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.aws_request_id = str(request["request_id"])
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline = float(request["deadline"])

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


class Tee(io.TextIOBase):
    """Writes to the real stream and to the log of the invocation in progress (LogResult)."""

    def __init__(self, stream: TextIO, prefix: str) -> None:
        self._stream = stream
        self._prefix = prefix
        self._lock = threading.Lock()
        self.captured: list[str] = []

    def write(self, text: str) -> int:
        with self._lock:
            self.captured.append(text)
            self._stream.write(text if not self._prefix else text.replace("\n", "\n" + self._prefix))
            self._stream.flush()
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def take(self) -> str:
        with self._lock:
            text, self.captured = "".join(self.captured), []
        return text


def error_payload(error: BaseException, error_type: str | None = None) -> dict[str, Any]:
    trace = traceback.format_list(traceback.extract_tb(error.__traceback__))
    return {
        "errorMessage": str(error),
        "errorType": error_type or type(error).__name__,
        "requestId": "",
        "stackTrace": [line.rstrip("\n") for line in trace],
    }


def load_handler(spec: str) -> Any:
    module_name, _, function_name = spec.rpartition(".")
    module = importlib.import_module(module_name)
    return getattr(module, function_name)


def main() -> None:
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    tee = Tee(sys.__stderr__ or sys.stderr, "")
    sys.stdout = sys.stderr = tee
    code_dir = os.environ["LAMBDA_TASK_ROOT"]
    sys.path.insert(0, code_dir)
    os.chdir(code_dir)

    def answer(message: dict[str, Any]) -> None:
        answers.write(json.dumps(message, default=str) + "\n")
        answers.flush()

    started = time.perf_counter()
    from localcloud.runtime import lean_calls

    lean_calls.install()  # before the handler's import, as signing below
    if FULL_SIGV4_FLAG not in sys.argv:
        from localcloud.runtime import unsigned

        unsigned.install()  # before the handler's import, so every client it makes is covered
    handler: Any = None
    init_error: dict[str, Any] | None = None
    try:
        handler = load_handler(os.environ["_HANDLER"])
    except Exception as error:  # AWS reports a broken import on every invocation, not only once
        kind = "Runtime.ImportModuleError" if isinstance(error, ImportError) else "Runtime.HandlerNotFound"
        init_error = error_payload(error, kind)
        init_error["errorMessage"] = f"Unable to import module '{os.environ['_HANDLER']}': {error}"
    answer({"ready": True, "init_ms": round((time.perf_counter() - started) * 1000, 1)})
    for line in sys.stdin:
        request = json.loads(line)
        tee.take()
        if init_error is not None:
            answer({"id": request["id"], "error": init_error, "logs": tee.take()})
            continue
        try:
            result = handler(request["event"], LambdaContext(request))
            answer({"id": request["id"], "result": result, "logs": tee.take()})
        except Exception as error:
            payload = error_payload(error)
            payload["requestId"] = request["request_id"]
            if os.environ.get("AWS_LAMBDA_LOG_FORMAT") == "JSON":
                # As Lambda's runtime does with LoggingConfig.LogFormat JSON: one line, not a traceback.
                # One write: workers share the engine's pipe, and a line written in pieces can interleave.
                sys.stderr.write(json.dumps({"level": "ERROR", **payload}) + "\n")
            else:
                traceback.print_exc()
            answer({"id": request["id"], "error": payload, "logs": tee.take()})


if __name__ == "__main__":
    main()
