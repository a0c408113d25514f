"""Where every PynamoDB model finds its table: the name template.yaml puts in the environment, the
region, and the endpoint (boto3's AWS_ENDPOINT_URL, so the same code runs on AWS and locally)."""

from __future__ import annotations

import os


def table_name(variable: str, default: str) -> str:
    return os.environ.get(variable, default)


def region() -> str:
    return os.environ.get("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "eu-central-1"))


def host() -> str | None:
    return os.environ.get("AWS_ENDPOINT_URL_DYNAMODB", os.environ.get("AWS_ENDPOINT_URL"))


class TableMeta:
    """Base of every model's `Meta`: a model only adds `table_name = table_name("X_TABLE", "...")`."""

    region = region()
    host = host()
