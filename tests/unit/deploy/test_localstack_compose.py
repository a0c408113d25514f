"""The LocalStack compose file starts every service a resource of the translated template needs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from localcloud.template.loader import load_template
from localcloud.template.translate import translate

REPO = Path(__file__).resolve().parents[3]
COMPOSE = REPO / "infra" / "localstack" / "compose.yaml"

# CloudFormation resource type prefix -> the LocalStack service that serves it.
SERVICE_OF = {
    "AWS::DynamoDB::": "dynamodb",
    "AWS::Lambda::": "lambda",
    "AWS::IAM::": "iam",
    "AWS::StepFunctions::": "stepfunctions",
    "AWS::ApiGateway::": "apigateway",
    "AWS::ApiGatewayV2::": "apigatewayv2",
    "AWS::SQS::": "sqs",
    "AWS::SSM::": "ssm",
    "AWS::SecretsManager::": "secretsmanager",
    "AWS::S3::": "s3",
    "AWS::CloudFront::": "cloudfront",
    "AWS::Logs::": "logs",
}


def _services() -> set[str]:
    compose: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    listed = str(compose["services"]["localstack"]["environment"]["SERVICES"])
    return {name.strip() for name in listed.split(",") if name.strip()}


def _needed() -> dict[str, set[str]]:
    resources = translate(load_template(REPO / "template.yaml"), "eu-central-1")["Resources"]
    needed: dict[str, set[str]] = {}
    for resource in resources.values():
        kind = resource["Type"]
        service = next((s for prefix, s in SERVICE_OF.items() if kind.startswith(prefix)), None)
        assert service, f"{kind} has no LocalStack service in SERVICE_OF: add it here and to compose.yaml"
        needed.setdefault(service, set()).add(kind)
        properties = resource.get("Properties") or {}
        if kind == "AWS::DynamoDB::Table" and "StreamSpecification" in properties:
            needed.setdefault("dynamodbstreams", set()).add("DynamoDB stream")
        if properties.get("TracingConfig") or properties.get("TracingEnabled"):
            needed.setdefault("xray", set()).add("tracing")
    return needed


def test_the_compose_file_starts_every_service_the_template_uses() -> None:
    missing = {service: kinds for service, kinds in _needed().items() if service not in _services()}
    assert not missing, f"compose.yaml SERVICES lacks {missing}"


def test_the_compose_file_deploys_with_cloudformation_and_keeps_its_state() -> None:
    compose: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    localstack = compose["services"]["localstack"]
    assert {"cloudformation", "sts", "s3"} <= _services()  # samlocal deploy: a stack, its role, its artifacts
    assert "LOCALSTACK_AUTH_TOKEN" in localstack["environment"]
    assert any(str(volume).endswith(":/var/lib/localstack") for volume in localstack["volumes"])


@pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0,
    reason="docker compose is not installed here",
)
def test_docker_compose_accepts_the_file() -> None:
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True,
        text=True,
        env={"LOCALSTACK_AUTH_TOKEN": "placeholder", "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    assert result.returncode == 0, result.stderr
