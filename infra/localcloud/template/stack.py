"""The translated template as a local stack: physical names, ARNs and attributes of every resource."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from localcloud.template.errors import TemplateError
from localcloud.template.intrinsics import Resolver
from localcloud.template.translate import LOCAL_BUCKET

ACCOUNT_ID = "123456789012"  # moto's default account
_EXECUTE_API = re.compile(r"(https|wss)://([a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com")

# Property that names each resource type (CloudFormation generates a name when it is missing).
_NAME_PROPERTY = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::StepFunctions::StateMachine": "StateMachineName",
    "AWS::SSM::Parameter": "Name",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::SNS::Topic": "TopicName",
    "AWS::IAM::Role": "RoleName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::Logs::SubscriptionFilter": "FilterName",
}


def local_api_id(logical_id: str) -> str:
    """A stable 10-character id, like API Gateway's, so URLs stay the same across restarts."""
    return hashlib.sha1(logical_id.encode()).hexdigest()[:10]


class LocalStack:
    """Names and attributes of the template's resources, and a resolver for their properties."""

    def __init__(
        self,
        template: dict[str, Any],
        template_dir: Path,
        *,
        region: str,
        stack_name: str,
        parameters: dict[str, str] | None = None,
        engine_url: str = "",
        gateway_url: str = "",
    ) -> None:
        self.template = template
        self.template_dir = template_dir
        self.region = region
        self.stack_name = stack_name
        self.engine_url = engine_url
        self.gateway_url = gateway_url
        self.resources: dict[str, dict[str, Any]] = template.get("Resources", {})
        self.created: dict[tuple[str, str], Any] = {}  # attributes known only after creation (StreamArn)
        pseudo: dict[str, Any] = {
            "AWS::Region": region,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{region}:{ACCOUNT_ID}:stack/{stack_name}/local",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [],
        }
        values: dict[str, Any] = {}
        for name, declaration in (template.get("Parameters") or {}).items():
            given = (parameters or {}).get(name, declaration.get("Default"))
            if given is None:
                raise TemplateError(f"parameter {name} has no Default: pass --parameter {name}=VALUE")
            values[name] = (
                given.split(",")
                if str(declaration.get("Type", "")).startswith("List<")
                or declaration.get("Type") == "CommaDelimitedList"
                else given
            )
        self.resolver = Resolver(template, pseudo, values, self.ref, self.get_att)

    def of_type(self, *types: str) -> dict[str, dict[str, Any]]:
        return {
            logical_id: resource
            for logical_id, resource in self.resources.items()
            if resource.get("Type") in types and self._included(resource)
        }

    def _included(self, resource: dict[str, Any]) -> bool:
        condition = resource.get("Condition")
        return condition is None or self.resolver.condition(condition)

    def properties(self, logical_id: str) -> dict[str, Any]:
        resolved: dict[str, Any] = self.resolver.resolve(self.resources[logical_id].get("Properties") or {})
        return resolved

    def name(self, logical_id: str) -> str:
        resource = self.resources[logical_id]
        prop = _NAME_PROPERTY.get(resource.get("Type", ""))
        given = (resource.get("Properties") or {}).get(prop) if prop else None
        if given is not None:
            return str(self.resolver.resolve(given))
        if resource.get("Type") == "AWS::SSM::Parameter":
            return f"/{self.stack_name}/{logical_id}"
        return f"{self.stack_name}-{logical_id}"

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{ACCOUNT_ID}:{resource}"

    def ref(self, logical_id: str) -> Any:
        kind = self.resources[logical_id].get("Type", "")
        if kind == "AWS::SQS::Queue":
            return f"{self.engine_url}/{ACCOUNT_ID}/{self.name(logical_id)}"
        if kind in ("AWS::StepFunctions::StateMachine", "AWS::SNS::Topic", "AWS::SecretsManager::Secret"):
            return self.get_att(logical_id, "Arn")
        if kind in ("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api") or kind.startswith(
            "AWS::ApiGateway"
        ):
            return local_api_id(logical_id)
        if kind in _NAME_PROPERTY:
            return self.name(logical_id)
        return logical_id

    def get_att(self, logical_id: str, attribute: str) -> Any:
        if (logical_id, attribute) in self.created:
            return self.created[(logical_id, attribute)]
        kind = self.resources[logical_id].get("Type", "")
        name = self.name(logical_id)
        api_id = local_api_id(logical_id)
        scheme = "wss" if self._is_websocket(logical_id) else "https"
        by_type: dict[str, dict[str, Callable[[], Any]]] = {
            "AWS::DynamoDB::Table": {"Arn": lambda: self.arn("dynamodb", f"table/{name}")},
            "AWS::SQS::Queue": {
                "Arn": lambda: self.arn("sqs", name),
                "QueueName": lambda: name,
                "QueueUrl": lambda: self.ref(logical_id),
            },
            "AWS::Lambda::Function": {"Arn": lambda: self.arn("lambda", f"function:{name}")},
            "AWS::StepFunctions::StateMachine": {
                "Arn": lambda: self.arn("states", f"stateMachine:{name}"),
                "Name": lambda: name,
            },
            "AWS::IAM::Role": {
                "Arn": lambda: f"arn:aws:iam::{ACCOUNT_ID}:role/{name}",
                "RoleId": lambda: name,
            },
            "AWS::SNS::Topic": {"Arn": lambda: self.arn("sns", name), "TopicName": lambda: name},
            "AWS::Logs::LogGroup": {"Arn": lambda: self.arn("logs", f"log-group:{name}:*")},
            "AWS::SecretsManager::Secret": {"Arn": lambda: self.arn("secretsmanager", f"secret:{name}")},
            "AWS::SSM::Parameter": {
                "Type": lambda: self.properties(logical_id).get("Type"),
                "Value": lambda: self.properties(logical_id).get("Value"),
            },
            "AWS::ApiGateway::RestApi": {"RootResourceId": lambda: local_api_id(logical_id + "/")},
            "AWS::ApiGatewayV2::Api": {
                "ApiId": lambda: api_id,
                "ApiEndpoint": lambda: f"{scheme}://{api_id}.execute-api.{self.region}.amazonaws.com",
            },
        }
        attributes = by_type.get(kind, {})
        if attribute not in attributes:
            raise TemplateError(f"Fn::GetAtt {logical_id}.{attribute} ({kind}) is not available locally")
        return attributes[attribute]()

    def _is_websocket(self, logical_id: str) -> bool:
        return (self.resources[logical_id].get("Properties") or {}).get("ProtocolType") == "WEBSOCKET"

    def local_path(self, location: Any) -> Path:
        """A CodeUri / DefinitionUri the translator saw as S3, back to a path beside the template."""
        if isinstance(location, dict):
            bucket = location.get("S3Bucket", location.get("Bucket"))
            key = location.get("S3Key", location.get("Key"))
            if bucket == LOCAL_BUCKET and isinstance(key, str):
                return (self.template_dir / key).resolve()
        raise TemplateError(f"code location {location!r} is not a local path; use a local CodeUri")

    def localize_endpoints(self, value: str) -> str:
        """`https://<api>.execute-api.<region>.amazonaws.com` of a local API -> the local gateway."""
        local_ids = {
            local_api_id(i) for i in self.of_type("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api")
        }

        def to_gateway(match: re.Match[str]) -> str:
            if match.group(2) not in local_ids:
                return match.group(0)
            scheme = "ws" if match.group(1) == "wss" else "http"
            return self.gateway_url.replace("http", scheme, 1)

        return _EXECUTE_API.sub(to_gateway, value)
