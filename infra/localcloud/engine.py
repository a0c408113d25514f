"""The engine process: moto's server with the correctness layer, Lambda workers and stream delivery.

Run by `trainbook up` as `python -m localcloud.engine --port N --data-dir DIR`; prints
"localcloud engine ready on http://127.0.0.1:N" once it accepts requests.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

ACCOUNT = "123456789012"
SNAPSHOT_INTERVAL_SECONDS = 5.0


class Engine:
    """Owns the server, the runtime and the pollers; saves state on a timer and on the way out."""

    def __init__(self, port: int, data_dir: Path | None, region: str, ttl_interval: float = 30.0) -> None:
        # Import moto only here: MOTO_PORT and the config must be set before its modules read them.
        os.environ["MOTO_PORT"] = str(port)  # the Step Functions interpreter calls Lambda on this port
        from moto.core.config import default_user_config

        default_user_config["stepfunctions"] = {"execute_state_machine": True}
        from localcloud import layer
        from localcloud.runtime.lambda_bridge import patch_lambda_invoke
        from localcloud.runtime.pool import Runtime
        from localcloud.streams.delivery import Deliveries

        self.port = port
        self.region = region
        self.data_dir = data_dir
        self.url = f"http://127.0.0.1:{port}"
        self.patches = layer.install()
        self.runtime = Runtime({})
        patch_lambda_invoke(self.patches, self.runtime)
        self.deliveries = Deliveries(self.runtime, ACCOUNT, region, self.url)
        self.ttl_interval = ttl_interval
        self.saved_positions: dict[str, int] = {}
        self.saved_executions: list[dict[str, Any]] = []
        self._stopped = threading.Event()
        if data_dir is not None:
            from localcloud import persistence

            extra = persistence.load(data_dir, ACCOUNT, region)
            self.saved_positions = dict(extra.get("stream_positions", {}))
            self.saved_executions = list(extra.get("running_executions", []))

    def configure(self, body: dict[str, Any]) -> dict[str, Any]:
        from localcloud.runtime.functions import FunctionSpec
        from localcloud.streams.trigger import StreamTrigger

        self.runtime.platform_env.update(body.get("platform_env", {}))
        for data in body.get("functions", []):
            self.runtime.register(FunctionSpec.from_json(data))
        for data in body.get("triggers", []):
            trigger = StreamTrigger.from_json(data)
            self.deliveries.add(trigger, self.saved_positions.get(trigger.logical_id))
        resumed = self._resume_executions()
        return {**self.health({}), "resumed_executions": resumed}

    def _running_executions(self) -> list[dict[str, Any]]:
        """Executions still running, to start again after a restart (moto cannot resume a thread)."""
        from moto.stepfunctions.responses import get_backend

        running = []
        for machine in get_backend(ACCOUNT, self.region).state_machines:
            for execution in machine.executions:
                status = getattr(execution, "exec_status", None) or getattr(execution, "status", None)
                if str(getattr(status, "value", status)) == "RUNNING":
                    data = getattr(execution, "input_data", None)
                    text = json.dumps(data) if data is not None else str(execution.execution_input)
                    running.append({"state_machine_arn": machine.arn, "name": execution.name, "input": text})
        return running

    def _resume_executions(self) -> list[str]:
        """Start every execution that was running at the last snapshot again, under its own name.

        Safe only because every task of a Trainbook-style saga is idempotent: a step that already took
        effect returns its first result. The old history is gone; the new run records a fresh one."""
        if not self.saved_executions:
            return []
        import boto3

        sfn = boto3.client(
            "stepfunctions",
            region_name=self.region,
            endpoint_url=self.url,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        resumed = []
        for execution in self.saved_executions:
            try:
                sfn.start_execution(
                    stateMachineArn=execution["state_machine_arn"],
                    name=execution["name"],
                    input=execution["input"],
                )
                resumed.append(execution["name"])
            except Exception:
                logging.getLogger("localcloud.engine").exception("could not resume %s", execution["name"])
        self.saved_executions = []
        return resumed

    def health(self, _: dict[str, Any]) -> dict[str, Any]:
        from moto.dynamodb.models import dynamodb_backends

        tables = dynamodb_backends[ACCOUNT][self.region].tables
        return {
            "engine": "ok",
            "url": self.url,
            "tables": sorted(tables),
            "functions": self.runtime.describe(),
            "streams": self.deliveries.describe(),
            "data_dir": str(self.data_dir) if self.data_dir else None,
        }

    def snapshot(self, _: dict[str, Any] | None = None) -> dict[str, Any]:
        if self.data_dir is None:
            return {"saved": False}
        from localcloud import persistence

        persistence.save(
            self.data_dir,
            ACCOUNT,
            self.region,
            {
                "stream_positions": self.deliveries.positions(),
                # Until the restarted ones are running again, keep the list a restart was given.
                "running_executions": self._running_executions() or self.saved_executions,
            },
        )
        return {"saved": True, "path": str(self.data_dir)}

    def _save_periodically(self) -> None:
        while not self._stopped.wait(SNAPSHOT_INTERVAL_SECONDS):
            try:
                self.snapshot()
                self.deliveries.trim_unconsumed()
            except Exception:
                logging.getLogger("localcloud.engine").exception("periodic snapshot failed")

    def serve(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import make_server

        from localcloud.control import ControlApp

        app = ControlApp(
            DomainDispatcherApplication(create_backend_app),
            {"configure": self.configure, "health": self.health, "snapshot": self.snapshot},
        )
        server = make_server("127.0.0.1", self.port, app, threaded=True)

        def stop(signum: int, _: Any) -> None:
            threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        threading.Thread(target=self._save_periodically, name="snapshots", daemon=True).start()
        from localcloud.layer.ttl import TtlSweeper

        # A client of this server, so its deletions take the path every DeleteItem takes.
        sweeper = TtlSweeper(self.url, self.region, self.ttl_interval)
        sweeper.start()
        print(f"localcloud engine ready on {self.url}", flush=True)
        try:
            server.serve_forever()
        finally:
            sweeper.stop()
            self._stopped.set()
            self.deliveries.stop()
            self.snapshot()
            self.runtime.stop()
            print("localcloud engine stopped", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION", "eu-central-1"))
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--ttl-interval", type=float, default=30.0, help="seconds between TTL sweeps")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, stream=sys.stdout, format="%(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    Engine(args.port, args.data_dir, args.region, args.ttl_interval).serve()


if __name__ == "__main__":
    main()
