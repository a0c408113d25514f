"""Where every PynamoDB model finds its table: the name template.yaml puts in the environment, the
region, and the endpoint (boto3's AWS_ENDPOINT_URL, so the same code runs on AWS and locally)."""

from __future__ import annotations

import os


class MissingTableVariable(RuntimeError):
    """A table's environment variable is not set: there is no name that would be right by default."""

    def __init__(self, variable: str) -> None:
        self.variable = variable
        super().__init__(
            f"environment variable {variable} is not set: it names the DynamoDB table "
            "(template.yaml sets it for every function; set it to the table's name to run elsewhere)"
        )


def required_table_name(variable: str) -> str:
    """The table name in `variable`; raises `MissingTableVariable` when it is unset or empty."""
    name = os.environ.get(variable)
    if not name:
        raise MissingTableVariable(variable)
    return name


class TableName:
    """A model's `Meta.table_name`, read from `variable` each time the model reaches its table.

    Reading on use rather than at import lets code that never touches the table (the CLI's --help, the
    OpenAPI document, pure unit tests) import the models with no variable set.
    """

    def __init__(self, variable: str) -> None:
        self.variable = variable

    def __get__(self, instance: object, owner: type | None = None) -> str:
        return required_table_name(self.variable)


def table_name(variable: str) -> TableName:
    """For a model's `Meta`: the table named by environment variable `variable`, which must be set."""
    return TableName(variable)


def region() -> str:
    return os.environ.get("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "eu-central-1"))


def host() -> str | None:
    return os.environ.get("AWS_ENDPOINT_URL_DYNAMODB", os.environ.get("AWS_ENDPOINT_URL"))


class TableMeta:
    """Base of every model's `Meta`: a model only adds `table_name = table_name("X_TABLE")`."""

    region = region()
    host = host()
