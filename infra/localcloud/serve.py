"""Runs the whole local cloud in the foreground until Ctrl-C / SIGTERM, then stops every child process."""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from localcloud import endpoints
from localcloud.cloud import LocalCloud, Options, ensure_no_proxy
from localcloud.engine_process import EngineFailed, port_is_free
from localcloud.garbage import paused_while_starting
from localcloud.template.errors import TemplateError

READY_LINE = "Trainbook local cloud ready on"
PHASES_LABEL = "start           "


class StartupError(Exception):
    """One line for the user: what is wrong and how to fix it."""


def summary(cloud: LocalCloud, url: str) -> list[str]:
    assert cloud.provisioned is not None and cloud.gateway is not None
    done = cloud.provisioned
    gateway = cloud.gateway
    engine_url = cloud.engine.url if cloud.engine else "-"
    routes = len([route for route in gateway.rest_routes if route.function])
    stream_lines = [
        f"    {t.logical_id}: {t.table_name} -> {t.function_name} (batch {t.batch_size}"
        + (f", {t.parallelization_factor} at once" if t.parallelization_factor > 1 else "")
        + (f", window {t.batching_window_seconds} s" if t.batching_window_seconds else "")
        + ")"
        for t in done.triggers
    ]
    subscription_lines = [
        f"    {s.log_group} {s.pattern or '(every event)'} -> {s.destination_arn.split(':')[-1]}"
        for s in done.log_subscriptions
    ]
    lines = [
        f"  template        {cloud.options.template}",
        f"  data dir        {cloud.options.data_dir or '(in memory only)'}",
        f"  engine (AWS)    {engine_url}  (AWS_ENDPOINT_URL for boto3, aws cli)",
        f"  tables          {len(done.tables)}: {', '.join(done.tables)}",
        f"  functions       {len(done.functions)}",
        f"  stream triggers {len(done.triggers)}",
        *stream_lines,
        *(
            [f"  log subscriptions {len(done.log_subscriptions)}", *subscription_lines]
            if subscription_lines
            else []
        ),
        f"  state machines  {len(done.state_machines)}: {', '.join(done.state_machines)}",
        f"  queues {len(done.queues)}, parameters {len(done.parameters)}, secrets {len(done.secrets)}",
        *[
            f"  REST routes     {routes} at {url}/{stage}/ (docs {url}/{stage}/docs)"
            for stage in sorted(gateway.rest_stages)
        ],
    ]
    for index, api in enumerate(gateway.websockets):
        path = "/ws" if index == 0 else f"/ws/{api.logical_id}"
        lines.append(
            f"  WebSocket       {api.logical_id}: {url.replace('http', 'ws', 1)}{path} "
            f"({len(api.routes)} routes; @connections at {url}/{api.stage}/@connections)"
        )
    if cloud.resumed_executions:
        lines.append(
            f"  resumed         {len(cloud.resumed_executions)} executions that were running at the last stop"
        )
    lines.append(f"  health          {url}/health")
    return lines


def phases_line(phases: dict[str, float]) -> str:
    """`  start           engine 2.1 s, resources 1.0 s, ..., total 9.9 s`: where the start's time went."""
    parts = [f"{name} {seconds:.1f} s" for name, seconds in phases.items()]
    return f"  {PHASES_LABEL}{', '.join([*parts, f'total {sum(phases.values()):.1f} s'])}"


def _gateway_modules() -> tuple[Any, Callable[..., Any]]:
    try:
        import uvicorn

        from localcloud.gateway.app import build_app
    except ImportError as error:
        raise StartupError(f"missing dependency {error.name}: run `pip install -e '.[local]'`") from None
    return uvicorn, build_app


def _prepare(region: str) -> None:
    """What the start needs after the engine is ready, done while it starts: provisioning's clients read
    their service models, and the gateway's modules are imported (together about a second of CPU)."""
    from localcloud.provision import warm_clients

    warm_clients(region)
    with contextlib.suppress(StartupError):
        _gateway_modules()


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _listen(host: str, port: int) -> socket.socket:
    """Bind before printing the ready line, so a client that reads it can connect at once."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError:
        listener.close()
        raise StartupError(
            f"port {port} is busy (another `trainbook up`?): stop it or pass --port N"
        ) from None
    listener.listen(2048)
    return listener


AfterStart = Callable[[LocalCloud], list[str]]


def run(
    options: Options,
    echo_engine: Callable[[str], None] | None,
    say: Callable[[str], None],
    after_start: AfterStart | None = None,
) -> None:
    """Start, serve until stopped, stop. `after_start` (seeding data, say) runs once everything is up
    and before the ready line; the lines it returns are printed with the summary."""
    with paused_while_starting() as ready:
        _run(options, echo_engine, say, after_start, ready)


def _run(
    options: Options,
    echo_engine: Callable[[str], None] | None,
    say: Callable[[str], None],
    after_start: AfterStart | None,
    ready: Callable[[], None],
) -> None:
    ensure_no_proxy()
    # SIGTERM while starting must still stop the engine: treat it like Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)
    if not port_is_free(options.port, options.host):
        raise StartupError(f"port {options.port} is busy (another `trainbook up`?): stop it or pass --port N")
    cloud = LocalCloud(options, echo=echo_engine)
    # The engine first: it takes about two seconds to start, this process imports the rest meanwhile.
    try:
        cloud.launch()
    except (TemplateError, EngineFailed) as error:
        cloud.stop()
        raise StartupError(str(error)) from None
    except BaseException:
        cloud.stop()
        raise
    threading.Thread(target=_prepare, args=(options.region,), name="prepare", daemon=True).start()
    from botocore.exceptions import ClientError

    try:
        cloud.start()
        functions = cloud.start_gateway_functions()
        uvicorn, build_app = _gateway_modules()
    except (TemplateError, EngineFailed) as error:
        cloud.stop()
        raise StartupError(str(error)) from None
    except ClientError as error:
        cloud.stop()
        raise StartupError(f"the engine refused a resource of the template: {error}") from None
    except BaseException:
        cloud.stop()
        raise
    assert cloud.gateway is not None and cloud.engine is not None
    try:
        seeded = after_start(cloud) if after_start is not None else []
    except BaseException:
        cloud.stop()
        raise
    url = f"http://localhost:{options.port}"
    dist = options.template.parent.resolve() / "frontend" / "dist"
    app = build_app(
        cloud.gateway,
        cloud.engine.url,
        dist if (dist / "index.html").exists() else None,
        {"template": str(options.template), "data_dir": str(options.data_dir)},
        functions,
    )
    server = uvicorn.Server(
        uvicorn.Config(
            app, host=options.host, port=options.port, log_level="warning", ws="auto", lifespan="on"
        )
    )
    stopping = threading.Event()
    engine_exit: list[int] = []

    def watch_engine() -> None:
        # A gateway without its engine would only answer 502: stop, so the data dir is free to restart.
        assert cloud.engine is not None
        code = cloud.engine.process.wait()
        if not stopping.is_set():
            engine_exit.append(code)
            server.should_exit = True

    def stop_serving(signum: int, frame: Any) -> None:
        # Ctrl-C or SIGTERM after the ready line: uvicorn's own handlers replace this one when it starts
        # serving, and put it back (then re-raise what they caught) when it ends. A signal that arrives in
        # between is kept here, so uvicorn stops as soon as it has started.
        server.should_exit = True

    threading.Thread(target=watch_engine, name="engine-watch", daemon=True).start()
    try:
        listener = _listen(options.host, options.port)
        if options.data_dir is not None:
            endpoints.write(options.data_dir, cloud.engine.url, url, options.region, options.template)
        cloud.phase_done("gateway")
        for line in [*summary(cloud, url), *seeded, phases_line(cloud.phases)]:
            say(line)
        signal.signal(signal.SIGINT, stop_serving)
        signal.signal(signal.SIGTERM, stop_serving)
        ready()
        say(f"{READY_LINE} {url}  (Ctrl-C to stop)")
        server.run(sockets=[listener])
    finally:
        stopping.set()
        if options.data_dir is not None:
            endpoints.remove(options.data_dir)
        cloud.stop()
        say("Trainbook local cloud stopped; data kept in " + str(options.data_dir or "memory (discarded)"))
    if engine_exit:
        raise StartupError(
            f"the engine exited unexpectedly (code {engine_exit[0]}); what it acknowledged is kept in "
            f"{options.data_dir or 'memory (lost)'}: start `trainbook up` again"
        )


def configure_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(name)s: %(message)s")


def default_template() -> Path:
    return Path("template.yaml")
