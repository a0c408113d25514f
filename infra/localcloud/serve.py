"""Runs the whole local cloud in the foreground until Ctrl-C / SIGTERM, then stops every child process."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from botocore.exceptions import ClientError

from localcloud.cloud import LocalCloud, Options, ensure_no_proxy
from localcloud.engine_process import EngineFailed, port_is_free
from localcloud.template.errors import TemplateError

READY_LINE = "Trainbook local cloud ready on"


class StartupError(Exception):
    """One line for the user: what is wrong and how to fix it."""


def summary(cloud: LocalCloud, url: str) -> list[str]:
    assert cloud.provisioned is not None and cloud.gateway is not None
    done = cloud.provisioned
    gateway = cloud.gateway
    stream_lines = [f"    {t.logical_id}: {t.table_name} -> {t.function_name} (batch {t.batch_size})"
                    for t in done.triggers]
    lines = [
        f"  template        {cloud.options.template}",
        f"  data dir        {cloud.options.data_dir or '(in memory only)'}",
        f"  engine (AWS)    {cloud.engine.url if cloud.engine else '-'}   (AWS_ENDPOINT_URL for boto3 / aws cli)",
        f"  tables          {len(done.tables)}: {', '.join(done.tables)}",
        f"  functions       {len(done.functions)}",
        f"  stream triggers {len(done.triggers)}",
        *stream_lines,
        f"  state machines  {len(done.state_machines)}: {', '.join(done.state_machines)}",
        f"  queues          {len(done.queues)}, parameters {len(done.parameters)}, secrets {len(done.secrets)}",
        f"  REST routes     {len([r for r in gateway.rest_routes if r.function])} at {url}/ (or {url}/<stage>/)",
    ]
    for index, api in enumerate(gateway.websockets):
        path = "/ws" if index == 0 else f"/ws/{api.logical_id}"
        lines.append(f"  WebSocket       {api.logical_id}: {url.replace('http', 'ws', 1)}{path} "
                     f"({len(api.routes)} routes; @connections at {url}/{api.stage}/@connections)")
    lines.append(f"  health          {url}/health")
    return lines


def run(options: Options, echo_engine: Callable[[str], None] | None, say: Callable[[str], None]) -> None:
    ensure_no_proxy()
    if not port_is_free(options.port, options.host):
        raise StartupError(f"port {options.port} is busy (another `trainbook up`?): stop it or pass --port N")
    try:
        import uvicorn

        from localcloud.gateway.app import build_app
    except ImportError as error:
        raise StartupError(f"missing dependency {error.name}: run `pip install -e '.[local]'`") from None
    cloud = LocalCloud(options, echo=echo_engine)
    try:
        cloud.start()
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
    url = f"http://localhost:{options.port}"
    dist = options.template.parent.resolve() / "frontend" / "dist"
    app = build_app(cloud.gateway, cloud.engine.url, dist if (dist / "index.html").exists() else None,
                    {"template": str(options.template), "data_dir": str(options.data_dir)})
    server = uvicorn.Server(uvicorn.Config(app, host=options.host, port=options.port, log_level="warning",
                                           ws="auto", lifespan="on"))
    try:
        for line in summary(cloud, url):
            say(line)
        say(f"{READY_LINE} {url}  (Ctrl-C to stop)")
        server.run()
    finally:
        cloud.stop()
        say("Trainbook local cloud stopped; data kept in " + str(options.data_dir or "memory (discarded)"))


def configure_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(name)s: %(message)s")


def default_template() -> Path:
    return Path("template.yaml")
