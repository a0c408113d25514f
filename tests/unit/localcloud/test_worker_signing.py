"""Lambda workers sign without HMACs: the Authorization header keeps its shape and credential scope."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSPreparedRequest

from localcloud.runtime import unsigned

SCOPE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=local/\d{8}/(?P<region>[a-z0-9-]+)/(?P<service>[a-z0-9-]+)/aws4_request, "
    r"SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<signature>[0-9a-f]{64})$"
)


@pytest.fixture
def unsigned_signing() -> Iterator[None]:
    unsigned.install()
    try:
        yield
    finally:
        unsigned.uninstall()


def authorization(request: AWSPreparedRequest) -> str:
    value = request.headers["Authorization"]
    return value.decode() if isinstance(value, bytes) else str(value)


def sent_request(service: str, call: str, **parameters: Any) -> AWSPreparedRequest:
    """The request boto3 would send, captured just before it leaves (nothing listens on the endpoint)."""
    client = boto3.client(  # type: ignore[call-overload]
        service,
        region_name="eu-central-1",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        aws_session_token="token",
    )
    captured: list[AWSPreparedRequest] = []

    class Sent(Exception):
        pass

    def capture(request: AWSPreparedRequest, **_: Any) -> None:
        captured.append(request)
        raise Sent

    client.meta.events.register("before-send", capture)
    with pytest.raises(Sent):
        getattr(client, call)(**parameters)
    return captured[0]


def test_a_worker_request_carries_the_credential_scope_the_engine_routes_by(unsigned_signing: None) -> None:
    request = sent_request("dynamodb", "get_item", TableName="t", Key={"k": {"S": "1"}})
    header = authorization(request)
    found = SCOPE.match(header)
    assert found, header
    assert (found["service"], found["region"]) == ("dynamodb", "eu-central-1")
    assert found["signature"] == unsigned.UNVERIFIED_SIGNATURE
    assert "x-amz-date" in found["signed"].split(";")
    assert request.headers["X-Amz-Security-Token"] == b"token"
    assert request.headers["X-Amz-Date"]


def test_other_services_keep_their_own_scope(unsigned_signing: None) -> None:
    for service, call, parameters in [
        ("lambda", "invoke", {"FunctionName": "f"}),
        ("ssm", "get_parameter", {"Name": "/p"}),
        (
            "stepfunctions",
            "describe_execution",
            {"executionArn": "arn:aws:states:eu-central-1:1:execution:m:x"},
        ),
    ]:
        header = authorization(sent_request(service, call, **parameters))
        found = SCOPE.match(header)
        assert found, header
        assert found["service"] == {"stepfunctions": "states"}.get(service, service)


def test_without_the_worker_runtime_requests_are_really_signed() -> None:
    request = sent_request("dynamodb", "get_item", TableName="t", Key={"k": {"S": "1"}})
    found = SCOPE.match(authorization(request))
    assert found and found["signature"] != unsigned.UNVERIFIED_SIGNATURE


def test_s3_requests_are_still_signed_in_full(unsigned_signing: None) -> None:
    request = sent_request("s3", "put_object", Bucket="b", Key="k", Body=b"ticket")
    found = SCOPE.match(authorization(request))
    assert found and found["signature"] != unsigned.UNVERIFIED_SIGNATURE
    assert request.headers["X-Amz-Content-SHA256"]


def test_the_signed_headers_listed_are_those_botocore_signs() -> None:
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("dynamodb", "get_item", {"TableName": "t", "Key": {"k": {"S": "1"}}}),
        ("lambda", "invoke", {"FunctionName": "f", "InvocationType": "Event"}),
        ("ssm", "get_parameter", {"Name": "/p"}),
    ]
    signed = [SCOPE.match(authorization(sent_request(*c[:2], **c[2]))) for c in calls]
    unsigned.install()
    try:
        unsigned_requests = [sent_request(*c[:2], **c[2]) for c in calls]
    finally:
        unsigned.uninstall()
    for full, request in zip(signed, unsigned_requests, strict=True):
        found = SCOPE.match(authorization(request))
        assert full and found
        assert found["signed"] == full["signed"]
        assert found["signature"] == unsigned.UNVERIFIED_SIGNATURE
