"""Creates the template's tables, queues, parameters, secrets, functions and state machines in the engine."""

from __future__ import annotations

import io
import json
import logging
import re
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import ClientError

from localcloud.logs.patterns import UnsupportedPattern, compile_pattern
from localcloud.logs.shipping import LogSubscription
from localcloud.runtime.functions import FunctionSpec
from localcloud.streams.filtering import check_pattern
from localcloud.streams.trigger import StreamTrigger
from localcloud.template.errors import TemplateError
from localcloud.template.stack import LocalStack

log = logging.getLogger("localcloud.provision")

LAMBDA_ROLE = "localcloud-lambda"
PARALLEL_REQUESTS = 8
# The services provisioning sends requests to (boto3's names).
PROVISIONING_SERVICES = ("dynamodb", "lambda", "stepfunctions", "iam", "sqs", "ssm", "secretsmanager")

_sessions: dict[str, boto3.session.Session] = {}
# A boto3 session is not safe for making clients from two threads at once (its clients are).
_making_clients = threading.Lock()


def provisioning_session(region: str) -> boto3.session.Session:
    """One session per region for every provisioning of this process: its loader keeps the service
    models it has read, so a client made again does not parse them again."""
    with _making_clients:
        session = _sessions.get(region)
        if session is None:
            session = _sessions[region] = boto3.session.Session(
                aws_access_key_id="local", aws_secret_access_key="local", region_name=region
            )
        return session


def warm_clients(region: str) -> None:
    """Read the service models provisioning needs, ahead of it (`trainbook up` runs this in a thread
    while the engine starts: making the clients took 0.1-0.5 s of the `resources` phase)."""
    session = provisioning_session(region)
    with _making_clients:
        for service in PROVISIONING_SERVICES:
            # A client never used, to an address nothing listens on: only the models it read are kept.
            session.client(service, endpoint_url="http://127.0.0.1:9")  # type: ignore[call-overload]


_SUBSTITUTION = re.compile(r"\$\{([A-Za-z0-9_.:-]+)\}")


@dataclass
class Provisioned:
    """What was created, for the engine (functions, triggers) and for the summary `trainbook up` prints."""

    tables: list[str] = field(default_factory=list)
    # Each table's CreationDateTime as boto3 gives it, as text (a table created again is a new table).
    table_created: dict[str, str] = field(default_factory=dict)
    queues: list[str] = field(default_factory=list)
    parameters: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    functions: list[FunctionSpec] = field(default_factory=list)
    triggers: list[StreamTrigger] = field(default_factory=list)
    state_machines: list[str] = field(default_factory=list)
    log_subscriptions: list[LogSubscription] = field(default_factory=list)


class Provisioner:
    """Idempotent: resources that survived a restart (data dir) are kept, the rest created."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self._session = provisioning_session(stack.region)
        self._clients: dict[str, Any] = {}
        self._table_created: dict[str, str] = {}
        self._existing_tables: set[str] = set()
        # Functions and state machines the engine has, listed once (moto does not journal them, so a
        # restart finds none: one list request each instead of a failing read per resource).
        self._existing_functions: dict[str, dict[str, Any]] = {}
        self._existing_machines: set[str] = set()
        self._role_arn: str | None = None

    def _client(self, service: str) -> Any:
        # One per service: making a boto3 client costs tens of ms, more than the request it sends.
        # Clients are thread-safe; making them from one session is not.
        with _making_clients:
            if service not in self._clients:
                self._clients[service] = self._session.client(  # type: ignore[call-overload]
                    service, endpoint_url=self.stack.engine_url
                )
            return self._clients[service]

    def run(self) -> Provisioned:
        done = Provisioned()
        # Independent resources go in parallel: at start, the round trips were the cost. Functions and state
        # machines may name the tables' stream ARNs and the queues' URLs, so they come after those; the
        # state machines first (moto parses each definition: the slowest requests of a restart).
        functions = self.stack.of_type("AWS::Lambda::Function")
        pages = self._client("dynamodb").get_paginator("list_tables").paginate()
        self._existing_tables = {name for page in pages for name in page.get("TableNames", [])}
        with ThreadPoolExecutor(PARALLEL_REQUESTS) as pool:
            listed = pool.submit(self._list_functions)
            tables = [pool.submit(self._table, i) for i in self.stack.of_type("AWS::DynamoDB::Table")]
            queues = [pool.submit(self._queue, i) for i in self.stack.of_type("AWS::SQS::Queue")]
            parameters = [pool.submit(self._parameter, i) for i in self.stack.of_type("AWS::SSM::Parameter")]
            secrets = [
                pool.submit(self._secret, i) for i in self.stack.of_type("AWS::SecretsManager::Secret")
            ]
            role = pool.submit(self._lambda_role) if functions else None  # once, before the functions
            done.tables = [f.result() for f in tables]
            done.table_created = dict(self._table_created)
            done.queues = [f.result() for f in queues]
            done.parameters = [f.result() for f in parameters]
            done.secrets = [f.result() for f in secrets]
            if role is not None:
                role.result()
            listed.result()
            machines = pool.submit(self._state_machines)
            made = [pool.submit(self._function, i) for i in functions]
            done.functions = [f.result() for f in made]
            done.state_machines = machines.result()
        done.triggers = [
            t
            for i in self.stack.of_type("AWS::Lambda::EventSourceMapping")
            if (t := self._trigger(i)) is not None
        ]
        done.log_subscriptions = [
            self._subscription(i, done.functions) for i in self.stack.of_type("AWS::Logs::SubscriptionFilter")
        ]
        return done

    def _list_functions(self) -> None:
        pages = self._client("lambda").get_paginator("list_functions").paginate()
        self._existing_functions = {f["FunctionName"]: f for page in pages for f in page.get("Functions", [])}

    def _state_machines(self) -> list[str]:
        """List the engine's state machines, then create or update the template's."""
        machines = self._client("stepfunctions").get_paginator("list_state_machines").paginate()
        self._existing_machines = {m["stateMachineArn"] for page in machines for m in page["stateMachines"]}
        return [self._state_machine(i) for i in self.stack.of_type("AWS::StepFunctions::StateMachine")]

    def _table(self, logical_id: str) -> str:
        props = self.stack.properties(logical_id)
        name = self.stack.name(logical_id)
        ddb = self._client("dynamodb")
        request: dict[str, Any] = {
            "TableName": name,
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": props.get("BillingMode", "PROVISIONED"),
        }
        throughput = props.get("ProvisionedThroughput") or {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        if request["BillingMode"] == "PROVISIONED":
            request["ProvisionedThroughput"] = throughput
        for index_kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            indexes = [dict(index) for index in props.get(index_kind, [])]
            for index in indexes:
                if request["BillingMode"] == "PROVISIONED" and index_kind == "GlobalSecondaryIndexes":
                    index.setdefault("ProvisionedThroughput", throughput)
            if indexes:
                request[index_kind] = indexes
        stream = props.get("StreamSpecification")
        if stream:
            request["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": stream["StreamViewType"],
            }
        try:
            if name not in self._existing_tables:  # a restart finds its tables in the journal
                ddb.create_table(**request)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceInUseException":
                raise
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            ddb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )
        described = ddb.describe_table(TableName=name)["Table"]
        self._table_created[name] = str(described["CreationDateTime"])
        if "LatestStreamArn" in described:
            self.stack.created[(logical_id, "StreamArn")] = described["LatestStreamArn"]
        return name

    def _queue(self, logical_id: str) -> str:
        props = self.stack.properties(logical_id)
        name = self.stack.name(logical_id)
        if props.get("FifoQueue") and not name.endswith(".fifo"):
            name += ".fifo"
        attributes = {
            key: json.dumps(value)
            if isinstance(value, dict)
            else str(value).lower()
            if isinstance(value, bool)
            else str(value)
            for key, value in props.items()
            if key not in ("QueueName", "Tags")
        }
        url = self._client("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        self.stack.created[(logical_id, "QueueUrl")] = url
        return name

    def _parameter(self, logical_id: str) -> str:
        props = self.stack.properties(logical_id)
        name = self.stack.name(logical_id)
        ssm = self._client("ssm")
        try:
            ssm.get_parameter(Name=name)
        except ClientError:
            ssm.put_parameter(Name=name, Value=str(props["Value"]), Type=props.get("Type", "String"))
        return name

    def _secret(self, logical_id: str) -> str:
        props = self.stack.properties(logical_id)
        name = self.stack.name(logical_id)
        secrets = self._client("secretsmanager")
        try:
            secrets.describe_secret(SecretId=name)
        except ClientError:
            value = props.get("SecretString")
            if value is None:
                value = secrets.get_random_password(**_password_rules(props))["RandomPassword"]
                template = (props.get("GenerateSecretString") or {}).get("SecretStringTemplate")
                key = (props.get("GenerateSecretString") or {}).get("GenerateStringKey")
                if template and key:
                    value = json.dumps({**json.loads(template), key: value})
            secrets.create_secret(Name=name, SecretString=value)
        return name

    def _function(self, logical_id: str) -> FunctionSpec:
        props = self.stack.properties(logical_id)
        runtime = str(props.get("Runtime", ""))
        if not runtime.startswith("python"):
            raise TemplateError(
                f"{logical_id}: runtime {runtime or props.get('PackageType')!r} cannot run "
                "locally; only python runtimes are supported"
            )
        name = self.stack.name(logical_id)
        variables = (props.get("Environment") or {}).get("Variables") or {}
        spec = FunctionSpec(
            logical_id=logical_id,
            name=name,
            arn=self.stack.get_att(logical_id, "Arn"),
            handler=str(props["Handler"]),
            code_dir=str(self.stack.local_path(props.get("Code"))),
            runtime=runtime,
            timeout=int(props.get("Timeout", 3)),
            memory_mb=int(props.get("MemorySize", 128)),
            environment={key: self.stack.localize_endpoints(str(value)) for key, value in variables.items()},
            log_group=str((props.get("LoggingConfig") or {}).get("LogGroup") or ""),
        )
        log_format = (props.get("LoggingConfig") or {}).get("LogFormat")
        if log_format:
            # What Lambda tells the runtime; with JSON, the runtime reports an error as one JSON line.
            spec.environment.setdefault("AWS_LAMBDA_LOG_FORMAT", str(log_format))
        self._register_in_lambda(spec)
        return spec

    def _register_in_lambda(self, spec: FunctionSpec) -> None:
        # moto must know the function for Step Functions and boto3 invoke; the code itself runs in workers.
        lambda_client = self._client("lambda")
        configuration = {
            "Runtime": spec.runtime,
            "Handler": spec.handler,
            "Timeout": spec.timeout,
            "MemorySize": spec.memory_mb,
            "Environment": {"Variables": spec.environment},
        }
        current = self._existing_functions.get(spec.name)
        if current is not None:
            # A function the engine still has is as the last provisioning left it: update only what changed.
            if _function_changed(current, configuration):
                lambda_client.update_function_configuration(FunctionName=spec.name, **configuration)
        else:
            lambda_client.create_function(
                FunctionName=spec.name,
                Role=self._lambda_role(),
                Code={"ZipFile": _placeholder_zip()},
                **configuration,
            )

    def _lambda_role(self) -> str:
        """One role Lambda can assume (moto checks); IAM policies are not enforced locally."""
        if self._role_arn is None:
            self._role_arn = self._find_or_create_role()
        return self._role_arn

    def _find_or_create_role(self) -> str:
        iam = self._client("iam")
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                }
            ],
        }
        try:
            return str(iam.get_role(RoleName=LAMBDA_ROLE)["Role"]["Arn"])
        except ClientError:
            return str(
                iam.create_role(RoleName=LAMBDA_ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"][
                    "Arn"
                ]
            )

    def _trigger(self, logical_id: str) -> StreamTrigger | None:
        props = self.stack.properties(logical_id)
        source = str(props.get("EventSourceArn", ""))
        if ":dynamodb:" not in source or "/stream/" not in source:
            log.warning("%s: only DynamoDB stream triggers run locally; %s skipped", logical_id, source)
            return None
        destination = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        queue_url = None
        if destination and ":sqs:" in destination:
            queue_url = f"{self.stack.engine_url}/{destination.split(':')[4]}/{destination.split(':')[5]}"
        function = str(props["FunctionName"]).split(":")[-1]
        return StreamTrigger(
            logical_id=logical_id,
            function_name=function,
            table_name=source.split("/")[1],
            stream_arn=source,
            batch_size=int(props.get("BatchSize", 100)),
            starting_position=str(props.get("StartingPosition", "TRIM_HORIZON")),
            maximum_retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
            bisect_on_error=bool(props.get("BisectBatchOnFunctionError", False)),
            report_batch_item_failures="ReportBatchItemFailures"
            in (props.get("FunctionResponseTypes") or []),
            on_failure_queue_url=queue_url,
            on_failure_arn=destination,
            enabled=bool(props.get("Enabled", True)),
            function_response_types=list(props.get("FunctionResponseTypes") or []),
            filters=_filter_patterns(logical_id, props),
        )

    def _subscription(self, logical_id: str, functions: list[FunctionSpec]) -> LogSubscription:
        """A subscription filter to a Lambda function of the template (the only destination run locally)."""
        props = self.stack.properties(logical_id)
        pattern = str(props.get("FilterPattern", ""))
        try:
            compile_pattern(pattern)
        except UnsupportedPattern as refused:
            raise TemplateError(f"{logical_id}: {refused}") from None
        destination = str(props.get("DestinationArn", ""))
        if not any(destination in (spec.arn, spec.name) for spec in functions):
            raise TemplateError(
                f"{logical_id}: DestinationArn {destination!r} is not a Lambda function of the template; "
                "only Lambda destinations are emulated"
            )
        group = str(props["LogGroupName"])
        if not any(spec.group == group for spec in functions):
            log.warning(
                "%s: no function of the template logs to %s; it will deliver nothing", logical_id, group
            )
        return LogSubscription(logical_id, self.stack.name(logical_id), group, pattern, destination)

    def _state_machine(self, logical_id: str) -> str:
        props = self.stack.properties(logical_id)
        name = self.stack.name(logical_id)
        definition = _definition_text(self.stack, props)
        substitutions = {
            key: str(value) for key, value in (props.get("DefinitionSubstitutions") or {}).items()
        }
        definition = _SUBSTITUTION.sub(lambda m: substitutions.get(m.group(1), m.group(0)), definition)
        sfn = self._client("stepfunctions")
        arn = self.stack.get_att(logical_id, "Arn")
        role = props.get("RoleArn") or f"arn:aws:iam::123456789012:role/{name}"
        if arn in self._existing_machines:
            current = sfn.describe_state_machine(stateMachineArn=arn)
            if (current.get("definition"), current.get("roleArn")) != (definition, role):
                sfn.update_state_machine(stateMachineArn=arn, definition=definition, roleArn=role)
        else:
            sfn.create_state_machine(
                name=name, definition=definition, roleArn=role, type=props.get("StateMachineType", "STANDARD")
            )
        return name


def _function_changed(current: dict[str, Any], configuration: dict[str, Any]) -> bool:
    """Whether moto's copy of a function differs from what the template now says."""
    variables = (current.get("Environment") or {}).get("Variables") or {}
    if variables != configuration["Environment"]["Variables"]:
        return True
    return any(current.get(key) != value for key, value in configuration.items() if key != "Environment")


def _definition_text(stack: LocalStack, props: dict[str, Any]) -> str:
    if "DefinitionString" in props:
        return str(props["DefinitionString"])
    if "Definition" in props:
        return json.dumps(props["Definition"])
    if "DefinitionS3Location" in props:
        path = stack.local_path(props["DefinitionS3Location"])
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise TemplateError(f"state machine definition {path} not found; fix DefinitionUri") from None
        if path.suffix in (".yaml", ".yml"):
            import yaml

            return json.dumps(yaml.safe_load(text))
        return text
    raise TemplateError("a state machine has no Definition, DefinitionString or DefinitionUri")


def _password_rules(props: dict[str, Any]) -> dict[str, Any]:
    rules = dict(props.get("GenerateSecretString") or {})
    rules.pop("SecretStringTemplate", None)
    rules.pop("GenerateStringKey", None)
    return rules


def _placeholder_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "README.txt", "The local cloud runs this function from its CodeUri, not from here.\n"
        )
    return buffer.getvalue()


def _filter_patterns(logical_id: str, props: dict[str, Any]) -> list[dict[str, Any]]:
    """The trigger's FilterCriteria patterns, parsed and checked (an unknown operator stops the start)."""
    patterns = [json.loads(f["Pattern"]) for f in (props.get("FilterCriteria") or {}).get("Filters", [])]
    for pattern in patterns:
        try:
            check_pattern(pattern)
        except ValueError as refused:
            raise TemplateError(f"{logical_id}: FilterCriteria: {refused}") from None
    return patterns
