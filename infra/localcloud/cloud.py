"""`trainbook up` without the CLI: template -> engine -> resources -> gateway configuration."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import shutil
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Only what starting the engine needs is imported here: `trainbook up` spawns the engine first and imports
# the rest (boto3, the translator, the gateway: about a second of CPU) while the engine starts.
from localcloud.engine_process import EngineFailed, EngineProcess
from localcloud.owner import OWNER_LOCK, DataDirBusy, DataDirLock

if TYPE_CHECKING:
    from localcloud.gateway.config import GatewayConfig
    from localcloud.gateway.functions import GatewayFunctions
    from localcloud.provision import Provisioned
    from localcloud.streams.trigger import StreamTrigger
    from localcloud.template.stack import LocalStack

log = logging.getLogger("localcloud")
_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9.:]+)\}")

DEFAULT_REGION = "eu-central-1"


@dataclass
class Options:
    """What `trainbook up` was asked for."""

    template: Path
    port: int = 3000
    data_dir: Path | None = Path(".trainbook")
    reset: bool = False
    region: str = DEFAULT_REGION
    stack_name: str = "trainbook"
    host: str = "127.0.0.1"
    fsync: str = "batch"
    ttl_interval: float = 30.0  # seconds between TTL sweeps (DynamoDB deletes within days, usually minutes)


class DataDirInUse(EngineFailed):
    """Another live `trainbook up` (or `trainbook invoke`) owns the data dir."""

    def __init__(self, busy: DataDirBusy) -> None:
        holder = f"pid {busy.pid}" if busy.pid is not None else "another process"
        super().__init__(
            f"data dir {busy.path} is in use by {holder} (another `trainbook up`?): "
            "stop it, or pass another --data-dir"
        )
        self.pid = busy.pid


def platform_environment(engine_url: str, region: str) -> dict[str, str]:
    """What Lambda's platform sets, plus the one endpoint variable boto3 reads (no "am I local?" checks)."""
    return {
        "AWS_ENDPOINT_URL": engine_url,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_SESSION_TOKEN": "local",
        # There is no X-Ray daemon locally; the template can still override these.
        "POWERTOOLS_TRACE_DISABLED": "true",
        "AWS_XRAY_SDK_ENABLED": "false",
    }


class LocalCloud:
    """Starts the engine, builds the stack in it, and describes what the gateway must serve."""

    def __init__(self, options: Options, echo: Callable[[str], None] | None = None) -> None:
        self.options = options
        self._echo = echo
        self.engine: EngineProcess | None = None
        self.stack: LocalStack | None = None
        self.provisioned: Provisioned | None = None
        self.resumed_executions: list[str] = []
        self.gateway: GatewayConfig | None = None
        # The functions the gateway invokes, run by its own workers once `start_gateway_functions` ran.
        self.gateway_functions: GatewayFunctions | None = None
        self.lock: DataDirLock | None = None
        self._template: dict[str, Any] | None = None  # translated before the engine started (--reset)
        # Seconds spent in each phase of the start, in order (`trainbook up` prints them, the bench too).
        self.phases: dict[str, float] = {}
        self._phase_started = time.monotonic()

    def phase_done(self, name: str) -> None:
        """Close the phase that ran since the previous one (or since the start)."""
        now = time.monotonic()
        self.phases[name] = now - self._phase_started
        self._phase_started = now

    def launch(self) -> None:
        """Take the data dir and spawn the engine, without waiting for it (`start` waits).

        With --reset of a data dir that holds data, the template is translated first: a broken template
        must not cost the data (otherwise it is translated while the engine starts)."""
        if self.engine is not None:
            return
        options = self.options
        if options.reset and options.data_dir is not None and holds_data(options.data_dir):
            self._template = _translated(options)
        if options.data_dir is not None:
            try:
                self.lock = DataDirLock(options.data_dir, OWNER_LOCK).acquire()
            except DataDirBusy as busy:
                raise DataDirInUse(busy) from None
            if options.reset:
                _empty(options.data_dir)
        log_path = options.data_dir / "engine.log" if options.data_dir else None
        self.engine = EngineProcess(
            options.data_dir,
            options.region,
            log_path,
            self._echo,
            options.fsync,
            ttl_interval=options.ttl_interval,
            lend_zygote=self._zygote_for_the_gateway(),
        )

    def _zygote_for_the_gateway(self) -> socket.socket | None:
        """The engine's end of the socket its zygote's sibling will serve this process's gateway functions
        on (ForkServers); None when they run no forked workers here."""
        from localcloud.runtime.zygote import FORK_SERVERS

        if os.environ.get("LOCALCLOUD_GATEWAY_FUNCTIONS", "1") == "0" or not FORK_SERVERS.enabled:
            return None
        ours, engines = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        FORK_SERVERS.adopt(ours)
        return engines

    def start(self) -> None:
        """`launch`, then build the stack in the engine once it is ready."""
        options = self.options
        self.launch()
        assert self.engine is not None
        from localcloud.gateway.config import read_gateway_config
        from localcloud.provision import Provisioner
        from localcloud.template.stack import LocalStack

        # Translate while the engine imports moto and loads the journal (two processes, two cores).
        try:
            template = self._template or _translated(options)
        except BaseException:
            self.engine.stop()
            raise
        self.engine.wait_ready()
        self.phase_done("engine")
        gateway_url = (
            f"http://{'localhost' if options.host in ('0.0.0.0', '127.0.0.1') else options.host}"
            f":{options.port}"
        )
        self.stack = LocalStack(
            template,
            options.template.parent.resolve(),
            region=options.region,
            stack_name=options.stack_name,
            engine_url=self.engine.url,
            gateway_url=gateway_url,
        )
        self.provisioned = Provisioner(self.stack).run()
        self.provisioned.triggers = [_with_mapping_settings(self.stack, t) for t in self.provisioned.triggers]
        background = background_functions(self.stack, self.provisioned.triggers)
        self.provisioned.functions = [
            dataclasses.replace(spec, background=True) if spec.logical_id in background else spec
            for spec in self.provisioned.functions
        ]
        self.resumed_executions = list(self.configure_engine().get("resumed_executions", []))
        self.gateway = read_gateway_config(self.stack)
        self.phase_done("resources")

    def start_gateway_functions(self) -> GatewayFunctions | None:
        """Warm workers of the functions the gateway integrates with, for `trainbook up` to serve with
        (None with LOCALCLOUD_GATEWAY_FUNCTIONS=0: the gateway then invokes them through the engine)."""
        from localcloud.gateway.functions import GatewayFunctions
        from localcloud.logs.shipping import engine_invoker

        assert self.engine is not None and self.provisioned is not None and self.gateway is not None
        if os.environ.get("LOCALCLOUD_GATEWAY_FUNCTIONS", "1") == "0":
            return None
        integrated = self.gateway.functions()
        data_dir = self.options.data_dir
        self.gateway_functions = GatewayFunctions(
            [spec for spec in self.provisioned.functions if {spec.name, spec.arn} & integrated],
            platform_environment(self.engine.url, self.options.region),
            ["--data-dir", str(data_dir)] if data_dir is not None else [],
            self.engine.write_line,
        )
        self.gateway_functions.ship_logs(
            self.provisioned.log_subscriptions,
            data_dir / "logs" / "gateway" if data_dir is not None else None,
            engine_invoker(self.engine.url, self.options.region),
            self.options.fsync,
        )
        return self.gateway_functions

    def configure_engine(self) -> dict[str, Any]:
        assert self.engine is not None and self.provisioned is not None
        body = {
            "platform_env": platform_environment(self.engine.url, self.options.region),
            "functions": [spec.to_json() for spec in self.provisioned.functions],
            "triggers": [trigger.to_json() for trigger in self.provisioned.triggers],
            "log_subscriptions": [s.to_json() for s in self.provisioned.log_subscriptions],
        }
        return engine_call(self.engine.url, "configure", body)

    def stop(self) -> None:
        if self.gateway_functions is not None:
            self.gateway_functions.stop()
            self.gateway_functions = None
        if self.engine is not None:
            self.engine.stop()
        if self.lock is not None:
            self.lock.release()
            self.lock = None


def _translated(options: Options) -> dict[str, Any]:
    from localcloud.template.loader import load_template
    from localcloud.template.translate import translate_cached

    return translate_cached(load_template(options.template), options.region, options.data_dir)


def _with_mapping_settings(stack: LocalStack, trigger: StreamTrigger) -> StreamTrigger:
    """The mapping's `ParallelizationFactor` and `MaximumBatchingWindowInSeconds` (SAM passes them on)."""
    from localcloud.streams.trigger import batching_window, parallelization_factor

    properties = stack.properties(trigger.logical_id)
    return dataclasses.replace(
        trigger,
        parallelization_factor=parallelization_factor(trigger.logical_id, properties),
        batching_window_seconds=batching_window(trigger.logical_id, properties),
    )


def background_functions(stack: LocalStack, triggers: list[StreamTrigger]) -> set[str]:
    """Functions (logical ids) that only stream triggers with a batching window, or log subscription
    filters, invoke.

    A window says the read model may lag by that much (and a subscription's batches wait up to a
    second anyway), so their workers may yield the CPU to what a passenger waits for (API requests, saga
    steps, the broadcaster). A function any other resource refers to (an API's permission, a state
    machine's substitutions, a trigger without a window) is not.
    """
    mappings = {t.logical_id for t in triggers}
    windowed: dict[str, bool] = {}
    for trigger in triggers:
        function = _referenced(stack.resources[trigger.logical_id].get("Properties", {}).get("FunctionName"))
        for logical_id in function:
            windowed[logical_id] = windowed.get(logical_id, True) and trigger.batching_window_seconds > 0
    for subscription in stack.of_type("AWS::Logs::SubscriptionFilter").values():
        for logical_id in _referenced((subscription.get("Properties") or {}).get("DestinationArn")):
            windowed.setdefault(logical_id, True)
    referenced: set[str] = set()
    for logical_id, resource in stack.resources.items():
        if logical_id not in mappings and not _log_delivery(resource):
            referenced |= _referenced(resource.get("Properties")) - {logical_id}
    return {f for f, window in windowed.items() if window and f not in referenced}


def _log_delivery(resource: dict[str, Any]) -> bool:
    """A subscription filter, or the permission that lets CloudWatch Logs invoke its destination."""
    kind = resource.get("Type")
    principal = str((resource.get("Properties") or {}).get("Principal", ""))
    return kind == "AWS::Logs::SubscriptionFilter" or (
        kind == "AWS::Lambda::Permission" and principal.startswith("logs.")
    )


def _referenced(value: Any) -> set[str]:
    """Logical ids a property value names through `Ref`, `Fn::GetAtt` or `Fn::Sub`."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                target = inner[0] if isinstance(inner, list) and inner else str(inner).split(".")[0]
                found.add(str(target))
            elif key == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) and inner else inner
                found |= {name.split(".")[0] for name in _SUB_NAME.findall(str(text))}
                found |= _referenced(inner)
            else:
                found |= _referenced(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= _referenced(inner)
    return found


def holds_data(data_dir: Path) -> bool:
    """Whether --reset would delete anything (more than the owner's lock and the translation cache)."""
    from localcloud.template.translate import TRANSLATION_CACHE

    kept = {OWNER_LOCK, TRANSLATION_CACHE}
    return data_dir.is_dir() and any(path.name not in kept for path in data_dir.iterdir())


def _empty(data_dir: Path) -> None:
    """--reset: delete everything in the data dir but the lock this process holds on it."""
    from localcloud.template.translate import TRANSLATION_CACHE

    for path in data_dir.iterdir():
        if path.name in (OWNER_LOCK, TRANSLATION_CACHE):  # the cache is keyed by the template's content
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def engine_call(
    engine_url: str, name: str, body: dict[str, Any] | None = None, timeout: float = 30.0
) -> dict[str, Any]:
    import urllib.request

    request = urllib.request.Request(
        f"{engine_url}/_localcloud/{name}",
        data=json.dumps(body or {}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        answer: dict[str, Any] = json.loads(response.read())
    return answer


def ensure_no_proxy() -> None:
    """Requests to 127.0.0.1 must never go through an HTTP proxy from the user's shell."""
    for name in ("NO_PROXY", "no_proxy"):
        os.environ[name] = ",".join(filter(None, [os.environ.get(name, ""), "127.0.0.1", "localhost"]))
