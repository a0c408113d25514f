"""SAM -> CloudFormation offline with aws-sam-translator (local CodeUri/DefinitionUri mapped to S3 first)."""

from __future__ import annotations

import copy
import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

from localcloud.template.errors import TemplateError

# Local paths travel through the translator as S3 keys in this bucket and are mapped back afterwards.
LOCAL_BUCKET = "localcloud-local-path"

_LOCAL_URIS = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
    "AWS::Serverless::StateMachine": "DefinitionUri",
    "AWS::Serverless::Api": "DefinitionUri",
    "AWS::Serverless::HttpApi": "DefinitionUri",
}


class _NoManagedPolicies:
    """The translator asks IAM for managed policy ARNs; locally there is no IAM to ask."""

    def load(self) -> dict[str, str]:
        return {}


def _to_s3(value: Any) -> Any:
    if isinstance(value, str) and not value.startswith("s3://"):
        return {"Bucket": LOCAL_BUCKET, "Key": value}
    return value


def _map_local_uris(template: dict[str, Any]) -> None:
    function_globals = template.get("Globals", {}).get("Function", {})
    if "CodeUri" in function_globals:
        function_globals["CodeUri"] = _to_s3(function_globals["CodeUri"])
    for resource in template["Resources"].values():
        prop = _LOCAL_URIS.get(resource.get("Type", ""))
        properties = resource.get("Properties") or {}
        if prop and prop in properties:
            properties[prop] = _to_s3(properties[prop])


def translate(template: dict[str, Any], region: str) -> dict[str, Any]:
    """Return plain CloudFormation; a template without the SAM transform comes back as it is."""
    document = copy.deepcopy(template)
    if "AWS::Serverless-2016-10-31" not in str(document.get("Transform", "")):
        return document
    _map_local_uris(document)
    try:
        import boto3
        from samtranslator.model.exceptions import InvalidDocumentException
        from samtranslator.parser.parser import Parser
        from samtranslator.translator.translator import Translator
    except ImportError as error:
        raise TemplateError(f"missing dependency {error.name}: run `pip install -e '.[local]'`") from None
    # transform() asks boto3 for the region; the local cloud's region is given instead.
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=region))
    policies = _NoManagedPolicies()
    try:
        translated: dict[str, Any] = translator.translate(
            document, parameter_values={}, get_managed_policy_map=policies.load
        )
    except InvalidDocumentException as error:
        causes = "; ".join(str(cause) for cause in error.causes) or str(error)
        raise TemplateError(f"template is not valid SAM: {causes}") from None
    return translated


TRANSLATION_CACHE = "translated-template.json"


def translate_cached(template: dict[str, Any], region: str, data_dir: Path | None) -> dict[str, Any]:
    """`translate`, remembered in `<data-dir>/translated-template.json` for the next start.

    The translator costs about a second of CPU at every start (its import and a deep copy of every
    resource, more on a loaded machine). Its result depends only on the document, the region, the
    translator's version and this module, so those are the key: any change translates again. A result
    that JSON would not give back unchanged is not remembered.
    """
    if data_dir is None:
        return translate(template, region)
    try:
        document = json.dumps(template, sort_keys=True)
    except (TypeError, ValueError):
        return translate(template, region)
    key = hashlib.sha256(
        "\0".join(
            [document, region, _translator_version(), Path(__file__).read_text(encoding="utf-8")]
        ).encode()
    ).hexdigest()
    path = data_dir / TRANSLATION_CACHE
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        if cached.get("key") == key:
            remembered: dict[str, Any] = cached["template"]
            return remembered
    except (OSError, ValueError, KeyError, AttributeError):
        pass
    translated = translate(template, region)
    try:
        text = json.dumps({"key": key, "template": translated})
        if json.loads(text)["template"] != translated:
            return translated
        data_dir.mkdir(parents=True, exist_ok=True)  # a first start translates before making it
        temporary = path.with_suffix(".tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    except (OSError, TypeError, ValueError):
        pass  # only a cache: the next start translates again
    return translated


def _translator_version() -> str:
    try:
        return metadata.version("aws-sam-translator")
    except metadata.PackageNotFoundError:
        return "none"
