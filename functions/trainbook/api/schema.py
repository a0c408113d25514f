"""Prints the REST API's OpenAPI document, built with no server: `python -m trainbook.api.schema`."""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")  # boto3 clients are created at import time
    from trainbook.api.app import app

    document = json.loads(app.get_openapi_json_schema(title="Trainbook API"))
    document["servers"] = [{"url": "/api"}]  # the REST API's stage: where the web app and CloudFront reach it
    sys.stdout.write(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
