"""Local cloud figures: DynamoDB ops/s, moto raw vs through the layer; warm invoke latency; stream lag.

Run `.venv/bin/python -m bench.localcloud_bench` (about a minute on 2 cores); figures: docs/local-cloud.md.
"""

from __future__ import annotations

import contextlib
import json
import logging
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer

from localcloud import layer
from localcloud.cloud import LocalCloud, Options
from localcloud.engine_process import free_port

REGION = "eu-central-1"
FIXTURE = (
    Path(__file__).parents[1] / "tests" / "integration" / "localcloud" / "fixtures" / "app" / "template.yaml"
)


def _client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )


def _rate(operation: Callable[[int], None], count: int, threads: int = 1) -> float:
    def worker(offset: int) -> None:
        for number in range(offset, count, threads):
            operation(number)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(offset,)) for offset in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return count / (time.perf_counter() - started)


def engine_figures(endpoint: str, prefix: str) -> dict[str, float]:
    ddb = _client("dynamodb", endpoint)
    table = f"{prefix}-bench"
    ddb.create_table(
        TableName=table,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
    )
    figures: dict[str, float] = {}
    figures["PutItem, 1 thread"] = _rate(
        lambda n: ddb.put_item(TableName=table, Item={"pk": {"S": f"p-{n % 50}"}, "sk": {"N": str(n)}}), 300
    )
    figures["PutItem, 4 threads"] = _rate(
        lambda n: ddb.put_item(
            TableName=table, Item={"pk": {"S": f"p-{n % 50}"}, "sk": {"N": str(n + 1000)}}
        ),
        700,
        threads=4,
    )
    ddb.put_item(TableName=table, Item={"pk": {"S": "hot"}, "sk": {"N": "0"}, "free": {"N": "100000"}})

    def decrement(_: int) -> None:
        ddb.update_item(
            TableName=table,
            Key={"pk": {"S": "hot"}, "sk": {"N": "0"}},
            UpdateExpression="SET #f = #f - :one",
            ConditionExpression="#f > :zero",
            ExpressionAttributeNames={"#f": "free"},
            ExpressionAttributeValues={":one": {"N": "1"}, ":zero": {"N": "0"}},
        )

    figures["conditional UpdateItem, hot item, 8 threads"] = _rate(decrement, 400, threads=8)

    def transact(n: int) -> None:
        # Unpatched moto answers 500 when its table copy races a writer.
        with contextlib.suppress(ClientError):
            ddb.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": table, "Item": {"pk": {"S": f"t-{n}"}, "sk": {"N": "1"}}}},
                    {"Put": {"TableName": table, "Item": {"pk": {"S": f"t-{n}"}, "sk": {"N": "2"}}}},
                ]
            )

    figures["TransactWriteItems of 2 (1k-item table)"] = _rate(transact, 60)
    figures["Query 20 items of a 1k-item table"] = _rate(
        lambda n: ddb.query(
            TableName=table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": f"p-{n % 50}"}},
            Limit=20,
        ),
        200,
    )
    return figures


def layer_comparison() -> dict[str, tuple[float, float]]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        raw = engine_figures(endpoint, "raw")
        patches = layer.install()
        try:
            layered = engine_figures(endpoint, "layer")
        finally:
            patches.undo()
    finally:
        server.stop()
    return {name: (raw[name], layered[name]) for name in raw}


def runtime_figures() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as data_dir:
        cloud = LocalCloud(Options(template=FIXTURE, data_dir=Path(data_dir)))
        cloud.start()
        try:
            assert cloud.engine is not None
            lambda_client = _client("lambda", cloud.engine.url)
            ddb = _client("dynamodb", cloud.engine.url)

            def invoke() -> float:
                started = time.perf_counter()
                lambda_client.invoke(
                    FunctionName="trainbook-SlowFunction", Payload=json.dumps({"seconds": 0})
                )
                return (time.perf_counter() - started) * 1000

            cold = invoke()
            warm = [invoke() for _ in range(100)]
            lags = []
            for number in range(30):
                key = f"lag-{number}"
                started = time.perf_counter()
                ddb.put_item(TableName="fixture-test-items", Item={"pk": {"S": key}, "version": {"N": "1"}})
                while "Item" not in ddb.get_item(
                    TableName="trainbook-DeliveriesTable", Key={"pk": {"S": f"seen-{key}"}}
                ):
                    time.sleep(0.002)
                lags.append((time.perf_counter() - started) * 1000)
        finally:
            cloud.stop()
    return {
        "cold start + first invoke (ms)": cold,
        "warm invoke via boto3, median (ms)": statistics.median(warm),
        "warm invoke via boto3, p95 (ms)": sorted(warm)[94],
        "stream delivery lag put -> projected, median (ms)": statistics.median(lags),
        "stream delivery lag, p95 (ms)": sorted(lags)[int(len(lags) * 0.95) - 1],
    }


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one access-log line per request otherwise
    print("DynamoDB on moto's server (HTTP, ops/s)          raw     with layer")
    for name, (raw, layered) in layer_comparison().items():
        print(f"  {name:<46} {raw:7.0f}   {layered:7.0f}")
    print("Lambda runtime and stream delivery (fixture template)")
    for name, value in runtime_figures().items():
        print(f"  {name:<52} {value:7.1f}")


if __name__ == "__main__":
    main()
