"""The engine's JSON serializer answers byte for byte what moto's own serializer answers.

A corpus of every DynamoDB operation and answer shape the app and the layer use (plus the Streams, SSM,
SQS and Step Functions calls the saga and the runtime make) runs against moto with the correctness layer;
each answer is serialized by both serializers from the same result and the bodies are compared.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, ClassVar

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.core import responses as moto_responses
from moto.core.serialize import JSONSerializer, ResponseDict, get_serializer_class
from moto.server import ThreadedMotoServer

from localcloud import layer
from localcloud.fastpath.json_serializer import FastJSONSerializer, _Unsupported
from localcloud.layer.patching import Patches
from tests.integration.localcloud.ports import free_port

REGION = "eu-central-1"


class Compared:
    """Each answer of the corpus: operation, moto's body, the fast body, whether the fast walk served it."""

    answers: ClassVar[list[tuple[str, Any, Any, bool]]] = []


class ShadowSerializer(FastJSONSerializer):
    def _serialize_result(self, resp: ResponseDict, result: Any) -> ResponseDict:
        reference = JSONSerializer(
            self.operation_model, pretty_print=self.pretty_print, value_picker=self._value_picker
        )
        expected = reference._serialize_result(reference._create_default_response(), result)
        served_fast = True
        try:
            if self.operation_model.output_shape is not None:
                self._walk({}, result, self.operation_model.output_shape, "")
        except _Unsupported:
            served_fast = False
        answer = super()._serialize_result(resp, result)
        Compared.answers.append((self.operation_name, expected["body"], answer["body"], served_fast))
        assert (answer["status_code"], answer["headers"]) == (expected["status_code"], expected["headers"])
        return answer


@pytest.fixture
def shadowed() -> Iterator[tuple[str, list[tuple[str, Any, Any, bool]]]]:
    """moto's server (what the engine runs) with the layer, every JSON answer serialized both ways."""
    patches = layer.install()
    shadow = Patches()

    def chosen(service: str, protocol: str) -> type[Any]:
        found = get_serializer_class(service, protocol)
        return ShadowSerializer if found is JSONSerializer else found

    shadow.replace(moto_responses, "get_serializer_class", chosen)
    Compared.answers = []
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}", Compared.answers
    finally:
        server.stop()
        shadow.undo()
        patches.undo()


def _every_type(pk: str, sk: int) -> dict[str, Any]:
    return {
        "pk": {"S": pk},
        "sk": {"N": str(sk)},
        "gsi": {"S": "g"},
        "text": {"S": "zażółć gęślą jaźń"},
        "empty": {"S": ""},
        "count": {"N": "-12.50"},
        "big": {"N": "12345678901234567890.000001"},
        "blob": {"B": b"\x00\xffbinary"},
        "blobs": {"BS": [b"a", b"\x01\x02"]},
        "strings": {"SS": ["a", "b"]},
        "numbers": {"NS": ["1", "2.5", "-3"]},
        "flag": {"BOOL": False},
        "nothing": {"NULL": True},
        "list": {"L": [{"S": "x"}, {"N": "0"}, {"M": {"deep": {"L": [{"BOOL": True}, {"B": b"z"}]}}}]},
        "map": {"M": {"a": {"S": "1"}, "b": {"M": {}}, "c": {"L": []}, "d": {"NS": ["7"]}}},
    }


def _dynamodb_corpus(ddb: Any) -> None:
    ddb.create_table(
        TableName="items",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "gsi", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-gsi",
                "KeySchema": [{"AttributeName": "gsi", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    ddb.update_time_to_live(
        TableName="items", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}
    )
    ddb.describe_time_to_live(TableName="items")
    ddb.describe_table(TableName="items")
    ddb.list_tables()
    for sk in range(5):
        ddb.put_item(TableName="items", Item=_every_type("p", sk), ReturnConsumedCapacity="TOTAL")
    ddb.put_item(TableName="items", Item=_every_type("p", 0), ReturnValues="ALL_OLD")
    ddb.put_item(TableName="items", Item=_every_type("q", 0), ReturnConsumedCapacity="INDEXES")
    key = {"pk": {"S": "p"}, "sk": {"N": "1"}}
    ddb.get_item(TableName="items", Key=key)
    ddb.get_item(TableName="items", Key=key, ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    ddb.get_item(TableName="items", Key={"pk": {"S": "missing"}, "sk": {"N": "1"}})
    ddb.get_item(
        TableName="items",
        Key=key,
        ProjectionExpression="#m.a, #b",
        ExpressionAttributeNames={"#m": "map", "#b": "blob"},
    )
    condition = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p"}}}
    ddb.query(TableName="items", **condition)
    ddb.query(TableName="items", Limit=2, ScanIndexForward=False, **condition)  # LastEvaluatedKey
    ddb.query(TableName="items", Select="COUNT", **condition)
    ddb.query(
        TableName="items", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "none"}}
    )
    ddb.query(
        TableName="items",
        IndexName="by-gsi",
        KeyConditionExpression="gsi = :g",
        ExpressionAttributeValues={":g": {"S": "g"}},
        ReturnConsumedCapacity="INDEXES",
    )
    ddb.query(
        TableName="items",
        FilterExpression="#c < :zero",
        ExpressionAttributeNames={"#c": "count"},
        ExpressionAttributeValues={":p": {"S": "p"}, ":zero": {"N": "0"}},
        KeyConditionExpression="pk = :p",
    )
    ddb.scan(TableName="items")
    ddb.scan(TableName="items", Limit=1)
    for returned in ("NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"):
        ddb.update_item(
            TableName="items",
            Key=key,
            UpdateExpression="SET #c = #c + :one, #n = :n ADD strings :s REMOVE nothing",
            ExpressionAttributeNames={"#c": "count", "#n": "note"},
            ExpressionAttributeValues={":one": {"N": "1"}, ":n": {"S": returned}, ":s": {"SS": ["c"]}},
            ReturnValues=returned,
        )
    ddb.update_item(
        TableName="items",
        Key={"pk": {"S": "new"}, "sk": {"N": "9"}},
        ConditionExpression="attribute_not_exists(pk)",
    )
    ddb.delete_item(TableName="items", Key={"pk": {"S": "p"}, "sk": {"N": "4"}}, ReturnValues="ALL_OLD")
    ddb.delete_item(TableName="items", Key={"pk": {"S": "gone"}, "sk": {"N": "4"}})
    ddb.batch_get_item(
        RequestItems={
            "items": {
                "Keys": [key, {"pk": {"S": "p"}, "sk": {"N": "2"}}, {"pk": {"S": "nope"}, "sk": {"N": "2"}}],
                "ConsistentRead": True,
            }
        },
        ReturnConsumedCapacity="TOTAL",
    )
    ddb.batch_get_item(RequestItems={"items": {"Keys": [{"pk": {"S": "nope"}, "sk": {"N": "2"}}]}})
    ddb.batch_write_item(
        RequestItems={
            "items": [
                {"PutRequest": {"Item": _every_type("w", 1)}},
                {"DeleteRequest": {"Key": {"pk": {"S": "p"}, "sk": {"N": "3"}}}},
            ]
        }
    )
    ddb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "items", "Item": _every_type("t", 1)}},
            {
                "Update": {
                    "TableName": "items",
                    "Key": key,
                    "UpdateExpression": "SET #c = :v",
                    "ExpressionAttributeNames": {"#c": "count"},
                    "ExpressionAttributeValues": {":v": {"N": "3"}},
                }
            },
            {
                "ConditionCheck": {
                    "TableName": "items",
                    "Key": {"pk": {"S": "p"}, "sk": {"N": "2"}},
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
            {"Delete": {"TableName": "items", "Key": {"pk": {"S": "w"}, "sk": {"N": "1"}}}},
        ],
        ClientRequestToken="token-1",
    )
    ddb.transact_get_items(
        TransactItems=[
            {"Get": {"TableName": "items", "Key": key}},
            {"Get": {"TableName": "items", "Key": key}},
        ]
    )
    with pytest.raises(ClientError) as cancelled:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "items", "Item": _every_type("t", 2)}},
                {
                    "ConditionCheck": {
                        "TableName": "items",
                        "Key": key,
                        "ConditionExpression": "attribute_not_exists(pk)",
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
            ]
        )
    reasons: Any = cancelled.value.response["CancellationReasons"]
    assert [reason["Code"] for reason in reasons] == ["None", "ConditionalCheckFailed"]
    assert reasons[1]["Item"]["blob"]["B"] == b"\x00\xffbinary"
    with pytest.raises(ClientError) as refused:
        ddb.put_item(
            TableName="items", Item=_every_type("p", 1), ConditionExpression="attribute_not_exists(pk)"
        )
    assert refused.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    with pytest.raises(ClientError) as invalid:
        ddb.get_item(TableName="items", Key={"pk": {"S": "p"}})
    assert invalid.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as unknown:
        ddb.describe_table(TableName="no-such-table")
    assert unknown.value.response["Error"]["Code"] == "ResourceNotFoundException"


def _streams_corpus(ddb: Any, streams: Any) -> None:
    records: Any
    arn = ddb.describe_table(TableName="items")["Table"]["LatestStreamArn"]
    streams.list_streams()
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])
    assert records["Records"]
    assert records["Records"][0]["dynamodb"]["NewImage"]["blob"]["B"] == b"\x00\xffbinary"


def _other_services_corpus(client: Any) -> None:
    ssm = client("ssm")
    ssm.put_parameter(Name="/app/faults", Value='{"plan": []}', Type="String")
    ssm.get_parameter(Name="/app/faults")
    ssm.get_parameters(Names=["/app/faults", "/app/none"])
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="failures")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="{}")
    sqs.receive_message(QueueUrl=url, AttributeNames=["All"])
    sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    sfn = client("stepfunctions")
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "Result": {"ok": 1}, "End": True}}}
    machine = sfn.create_state_machine(
        name="m", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/r"
    )["stateMachineArn"]
    sfn.list_state_machines()
    sfn.describe_state_machine(stateMachineArn=machine)
    execution = sfn.start_execution(stateMachineArn=machine, name="b-1", input="{}")["executionArn"]
    sfn.describe_execution(executionArn=execution)
    sfn.list_executions(stateMachineArn=machine)
    sfn.get_execution_history(executionArn=execution)


def test_every_json_answer_of_the_corpus_is_byte_for_byte_moto_s(
    shadowed: tuple[str, list[tuple[str, Any, Any, bool]]],
) -> None:
    endpoint, answers = shadowed

    def client(service: str) -> Any:
        return boto3.client(  # type: ignore[call-overload]
            service,
            region_name=REGION,
            endpoint_url=endpoint,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    ddb = client("dynamodb")
    _dynamodb_corpus(ddb)
    _streams_corpus(ddb, client("dynamodbstreams"))
    _other_services_corpus(client)

    different = [(op, expected, got) for op, expected, got, _ in answers if expected != got]
    assert different == []
    fast = {op for op, _, _, served_fast in answers if served_fast}
    assert {
        "CreateTable",
        "DescribeTable",
        "UpdateTimeToLive",
        "DescribeTimeToLive",
        "ListTables",
        "PutItem",
        "GetItem",
        "Query",
        "Scan",
        "UpdateItem",
        "DeleteItem",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactWriteItems",
        "TransactGetItems",
        "DescribeStream",
        "GetShardIterator",
        "GetRecords",
        "GetParameter",
        "PutParameter",
        "StartExecution",
        "DescribeExecution",
        "GetExecutionHistory",
    } <= fast
    # The answers carry every shape the corpus asked for (the comparison above is not over empty bodies).
    bodies = " ".join(got for _, _, got, _ in answers)
    for shape in ('"LastEvaluatedKey"', '"ConsumedCapacity"', '"UnprocessedKeys"', '"CreationDateTime"'):
        assert shape in bodies
    for value in ('"B": "AP9iaW5hcnk="', '"BS": [', '"NS": [', '"SS": [', '"L": [', '"M": {', '"NULL": true'):
        assert value in bodies
