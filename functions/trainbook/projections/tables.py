"""Where a PynamoDB model finds its table: the name from the environment template.yaml sets."""

from __future__ import annotations

import os


def table_name(variable: str, default: str) -> str:
    return os.environ.get(variable, default)


def region() -> str:
    return os.environ.get("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "eu-central-1"))


def host() -> str | None:
    return os.environ.get("AWS_ENDPOINT_URL_DYNAMODB", os.environ.get("AWS_ENDPOINT_URL"))
