"""The AWS service models moto reads per request, loaded once before the engine answers.

moto loads a service's botocore model (a JSON file of up to a few MB, after listing the 400-odd
services botocore knows) on the first request to that service, with a new loader each time, and its
cache does not stop two threads from loading the same model at once. At a restart the provisioner sends
its first requests 8 at a time, so several threads parsed the Lambda and IAM models together: a fifth of
the engine's start. Loading the models of the services the engine serves once, through one loader,
before the ready line makes every request find them cached.
"""

from __future__ import annotations

from moto.core import utils as moto_utils
from moto.core.loaders import create_loader
from moto.core.routing import get_service_router

from localcloud.layer.patching import Patches

# botocore's names of the services the template's resources and the workers' clients use.
SERVED = (
    "dynamodb",
    "dynamodbstreams",
    "lambda",
    "stepfunctions",
    "ssm",
    "secretsmanager",
    "sqs",
    "iam",
    "sts",
)


def load_served_models(patches: Patches) -> None:
    loader = create_loader()
    patches.replace(moto_utils, "create_loader", lambda: loader)
    for name in SERVED:
        get_service_router(name)  # its model too (moto_utils.get_service_model, cached per name)
