#!/usr/bin/env python3
"""CDK app: `python app.py -c environment=<name> [-c bundle=false]` writes cdk.out/RetailSync-<name>.

Run directly (`make synth`, the tests, the local stack) it reads cdk.json's context and `-c key=value`
arguments itself, the way the CDK CLI would; under `cdk synth/deploy` the CLI passes both in.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path

# jsii prints a Node end-of-life banner on every run otherwise (must be set before importing aws_cdk).
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from infra.availability.config import AvailabilityConfig  # noqa: E402
from infra.config import StackConfig, placeholder_settings  # noqa: E402
from infra.stack import RetailSyncStack, stack_name  # noqa: E402

ROOT = Path(__file__).resolve().parent


def cli_context(argv: list[str]) -> dict[str, str]:
    """`-c key=value` / `--context key=value` pairs, as the CDK CLI accepts them."""
    context: dict[str, str] = {}
    args = iter(argv)
    for arg in args:
        if arg in ("-c", "--context"):
            pair = next(args, "")
        elif arg.startswith("--context="):
            pair = arg.removeprefix("--context=")
        else:
            continue
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"context must be key=value, got {pair!r}")
        context[key] = value
    return context


def build_app(
    context: Mapping[str, object] | None = None, outdir: str | None = None
) -> tuple[cdk.App, RetailSyncStack]:
    """The app with its one stack. Without the CDK CLI, cdk.json's context is the base."""
    merged: dict[str, object] = {}
    if "CDK_CONTEXT_JSON" not in os.environ:
        merged.update(json.loads((ROOT / "cdk.json").read_text()).get("context", {}))
    merged.update(context or {})
    if outdir is None and "CDK_OUTDIR" not in os.environ:
        outdir = str(ROOT / "cdk.out")
    app = cdk.App(context=merged, outdir=outdir)
    config = StackConfig.from_context(app.node)
    missing = placeholder_settings(
        config.environment,
        {
            "erpBaseUrl": config.erp_base_url,
            "wmsBaseUrl": AvailabilityConfig.from_context(app.node, config.environment).wms_base_url,
        },
    )
    if missing:
        raise SystemExit(
            f"environment {config.environment!r} still has placeholder values for {', '.join(missing)}: "
            + " ".join(f"-c {key}=https://..." for key in missing)
            + " (or set them in cdk.json's context); only local, test, lint and bench synthesize with placeholders"
        )
    account = os.environ.get("CDK_DEFAULT_ACCOUNT")
    region = os.environ.get("CDK_DEFAULT_REGION")
    env = cdk.Environment(account=account, region=region) if account or region else None
    # Locally the template goes straight into moto: no bootstrap version parameter to check.
    synthesizer = cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False) if config.is_local else None
    stack = RetailSyncStack(
        app,
        stack_name(config.environment),
        config=config,
        env=env,
        synthesizer=synthesizer,
        description=f"retail-sync middleware ({config.environment})",
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True))
    return app, stack


if __name__ == "__main__":
    application, _ = build_app(cli_context(sys.argv[1:]))
    application.synth()
