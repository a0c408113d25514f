"""The journal keeps exactly what DynamoDB committed: items, stream records, tables, and nothing cancelled.

In process (moto's mock with the correctness layer): write through boto3, then rebuild empty backends from
the journal alone and compare.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models import dynamodb_backends

from localcloud import layer
from localcloud.journal.capture import Capture
from localcloud.journal.restore import restore
from localcloud.journal.store import JOURNAL_FILE, Journal

REGION = "eu-central-1"
ACCOUNT = "123456789012"


def _table(ddb: Any, name: str) -> None:
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )


def _everything(ddb: Any) -> dict[str, Any]:
    tables = sorted(ddb.list_tables()["TableNames"])
    items = {name: sorted(map(str, ddb.scan(TableName=name)["Items"])) for name in tables}
    backend = dynamodb_backends[ACCOUNT][REGION]
    records = {
        name: [r.to_json()["dynamodb"] for r in backend.tables[name].stream_shard.items] for name in tables
    }
    return {"tables": tables, "items": items, "records": records}


def test_a_restart_from_the_journal_has_every_committed_write_and_nothing_else(tmp_path: Path) -> None:
    with mock_aws():
        patches = layer.install()
        journal = Journal(tmp_path / JOURNAL_FILE, "always")
        Capture(journal, ACCOUNT, REGION).install(patches)
        try:
            ddb = boto3.client("dynamodb", region_name=REGION)
            _table(ddb, "bookings")
            item = {"pk": {"S": "b-1"}, "sk": {"N": "1"}, "data": {"M": {"seats": {"L": [{"N": "12"}]}}}}
            ddb.put_item(TableName="bookings", Item=item)
            ddb.put_item(TableName="bookings", Item={"pk": {"S": "b-2"}, "sk": {"N": "1"}})
            ddb.update_item(
                TableName="bookings",
                Key={"pk": {"S": "b-1"}, "sk": {"N": "1"}},
                UpdateExpression="SET #s = :s",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":s": {"S": "CONFIRMED"}},
            )
            with pytest.raises(ClientError):  # cancelled: its first put must not reach the journal
                ddb.transact_write_items(
                    TransactItems=[
                        {"Put": {"TableName": "bookings", "Item": {"pk": {"S": "b-3"}, "sk": {"N": "1"}}}},
                        {
                            "ConditionCheck": {
                                "TableName": "bookings",
                                "Key": {"pk": {"S": "b-2"}, "sk": {"N": "1"}},
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        },
                    ]
                )
            ddb.delete_item(TableName="bookings", Key={"pk": {"S": "b-2"}, "sk": {"N": "1"}})
            _table(ddb, "dropped")
            ddb.put_item(TableName="dropped", Item={"pk": {"S": "old"}, "sk": {"N": "1"}})
            ddb.delete_table(TableName="dropped")
            _table(ddb, "dropped")  # the same name again: the old items must not come back
            before = _everything(ddb)
            journal.close()
        finally:
            patches.undo()

    with mock_aws():  # empty backends: only the journal knows anything
        reopened = Journal(tmp_path / JOURNAL_FILE, "always")
        try:
            restored = restore(reopened, ACCOUNT, REGION)
            after = _everything(boto3.client("dynamodb", region_name=REGION))
        finally:
            reopened.close()

    assert after == before
    assert restored["items"] == 1
    assert before["items"]["dropped"] == []
    assert [r["Keys"]["pk"]["S"] for r in before["records"]["bookings"]] == ["b-1", "b-2", "b-1", "b-2"]
