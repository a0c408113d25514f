"""Step Functions' interpreter calls the Lambda workers in-process, reuses its clients and parse trees.

moto's interpreter creates a new boto3 client for every Task (`boto_client_for`: about 8 % of the engine's
CPU under load) and invokes Lambda over HTTP on the engine's own port: a request that leaves the process
only to come back into it, through the HTTP server, moto's routing and its Lambda backend. Here a Task
whose function the runtime serves calls the runtime directly (the same code the HTTP path ends in, with
the same payload, FunctionError and executed version); anything else takes the original path with one
cached client per (service, region). Each history event is also counted (`history:<EventType>`).
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import threading
from typing import Any

from botocore.response import StreamingBody
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor
from moto.stepfunctions.parser.asl.utils import boto_client
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
from moto.stepfunctions.parser.utils import TMP_THREADS

from localcloud.layer.patching import Patches
from localcloud.runtime.pool import Runtime
from localcloud.runtime.worker import event_of
from localcloud.stats import STATS


class _Stopping(threading.Event):
    """Set when the engine starts to stop: from then on no execution takes another step.

    A stop is a power cut for the executions in flight: each stays where its journal left it, RUNNING, and
    starts again after the restart (`Engine._restore_executions`), its steps idempotent. Left to run while
    the engine stops, an execution whose Task fails because its worker is stopped (or whose Task timer runs
    out) would take its Catch and compensate (void or refund the payment, release the seats) beside the
    saga that resumes after the restart and confirms: a booking confirmed with its money returned. Every step
    of an execution publishes a history event first, so the publishing thread waits there, for good.
    """

    def hold(self) -> None:
        threading.Event().wait()  # interpreter threads are daemons: the engine's exit ends them


STOPPING = _Stopping()


class InProcessLambda:
    """The one method of a Lambda client the interpreter uses, answered by the warm workers."""

    def __init__(self, runtime: Runtime, fallback: Any) -> None:
        self._runtime = runtime
        self._fallback = fallback

    def invoke(self, **parameters: Any) -> dict[str, Any]:
        name = str(parameters.get("FunctionName", ""))
        plain = parameters.get("InvocationType", "RequestResponse") == "RequestResponse"
        qualifier = parameters.get("Qualifier") in (None, "$LATEST")
        if not (plain and qualifier) or self._runtime.pool(name) is None:
            answer: dict[str, Any] = self._fallback().invoke(**parameters)
            return answer
        STATS.count("internal:LambdaInvokeFromStepFunctions")
        body = parameters.get("Payload")
        if isinstance(body, bytes | bytearray):
            body = body.decode()
        # The interpreter's payload is already JSON text: the worker's request carries it as it is.
        event = event_of(body) if isinstance(body, str) else json.loads(body) if body else {}
        result = self._runtime.invoke(name, event)
        answer = {
            "StatusCode": 200,
            "ExecutedVersion": "$LATEST",
            "Payload": StreamingBody(io.BytesIO(result.payload), len(result.payload)),
        }
        if result.function_error:
            answer["FunctionError"] = result.function_error
        return answer


def patch_step_functions(patches: Patches, runtime: Runtime) -> None:
    original = boto_client.boto_client_for
    clients: dict[tuple[str, str], Any] = {}
    creating = threading.Lock()

    def cached_client(region: str, service: str, state_credentials: Any = None) -> Any:
        # boto3 clients are thread-safe once made; making them (from the shared session) is not.
        key = (service, region)
        client = clients.get(key)
        if client is None:
            with creating:
                client = clients.get(key)
                if client is None:
                    client = clients[key] = original(region=region, service=service)
        return client

    def client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        if service == "lambda":
            return InProcessLambda(runtime, lambda: cached_client(region, service))
        return cached_client(region, service)

    # Every module imported the function by name: replace it where it is looked up, and at its source
    # for modules imported later.
    patches.replace(boto_client, "boto_client_for", client_for)
    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "")
        uses_it = getattr(module, "boto_client_for", None) is original
        if name.startswith("moto.stepfunctions.parser") and uses_it:
            patches.replace(module, "boto_client_for", client_for)
    assert getattr(lambda_eval_utils, "boto_client_for") is client_for  # noqa: B009 - not exported

    publish = EventManager._publish_history_event

    def counted_publish(self: EventManager, *args: Any, **kwargs: Any) -> None:
        if STOPPING.is_set():
            STOPPING.hold()
        publish(self, *args, **kwargs)
        event_type = kwargs.get("event_type", args[2] if len(args) > 2 else None)
        STATS.count(f"history:{getattr(event_type, 'value', event_type)}")

    patches.replace(EventManager, "_publish_history_event", counted_publish)

    # moto lexes and parses the machine's definition (ANTLR, pure Python) at every execution's start.
    # The parse tree is only read afterwards: keep one per definition text, and build the evaluation
    # components from it afresh for each execution (they hold the execution's state).
    trees: dict[str, Any] = {}

    def entrypoint(self: ExecutionWorker) -> Any:
        definition = self._evaluation_details.state_machine_details.definition
        tree = trees.get(definition)
        if tree is None:
            tree = trees[definition] = AmazonStateLanguageParser.parse(definition)[1]
        return Preprocessor().visit(tree)

    patches.replace(ExecutionWorker, "_get_evaluation_entrypoint", entrypoint)


def forget_finished_threads() -> int:
    """Drop the interpreter's finished threads from moto's `TMP_THREADS`; returns how many were dropped.

    moto's interpreter appends every thread it starts (one per execution and per Task state, seven a
    booking) to that module-level list and never reads or empties it, so it grows with every execution:
    memory, and objects each full garbage collection scans again. A thread that has finished is not needed
    there by anyone; a live one stays. Called by the engine's maintenance loop."""
    finished = [thread for thread in TMP_THREADS if not thread.is_alive()]
    for thread in finished:
        with contextlib.suppress(ValueError):  # another caller dropped it meanwhile
            TMP_THREADS.remove(thread)
    return len(finished)
