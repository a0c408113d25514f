"""The engine's moto imports leave out moto.ec2, yet every module that names it still finds it."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run_fresh(code: str) -> str:
    """Run `code` in a new interpreter (this one may already hold moto.ec2) and return its output."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_engine_imports_step_functions_and_ssm_without_ec2_and_ec2_loads_when_read() -> None:
    output = run_fresh(
        """
        import sys
        from localcloud import lean_imports
        lean_imports.preload()
        from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
        from moto.ssm.models import ssm_backends
        print("ec2 before use:", "moto.ec2" in sys.modules, "batch package:", "moto.batch" in sys.modules)
        import moto.ssm.models as ssm_models
        regions = ssm_models.ec2_backends["123456789012"]["eu-central-1"].describe_regions()
        print("ec2 after use:", "moto.ec2" in sys.modules, len(regions) > 0)
        import moto.batch
        print("batch:", hasattr(moto.batch, "batch_backends"), hasattr(moto.batch.utils, "JobStatus"))
        """
    )
    assert output.splitlines() == [
        "ec2 before use: False batch package: False",
        "ec2 after use: True True",
        "batch: True True",
    ]
