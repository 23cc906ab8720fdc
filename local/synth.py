"""Synthesizes the CDK app for the local environment and finds the stack's template."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from local.template import Template

_cache: dict[tuple[Path, str], Template] = {}
_cache_lock = threading.Lock()


class SynthError(RuntimeError):
    pass


def synthesize(project_root: Path, environment: str, stack_name: str, *, reuse: bool = True) -> Template:
    """Run `app.py -c environment=<env> -c bundle=false` and load the stack's template.

    The cloud assembly goes to a private directory (CDK_OUTDIR), so parallel test workers and a
    `make synth` running meanwhile do not read each other's half-written files. One synthesis per
    process and environment unless `reuse` is false.
    """
    key = (project_root.resolve(), environment)
    with _cache_lock:
        if reuse and key in _cache:
            return _cache[key]
        command = [sys.executable, "app.py", "-c", f"environment={environment}", "-c", "bundle=false"]
        with tempfile.TemporaryDirectory(prefix="retail-sync-synth-") as outdir:
            env = {**os.environ, "CDK_OUTDIR": outdir, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
            result = subprocess.run(
                command, cwd=project_root, env=env, capture_output=True, text=True, check=False
            )
            if result.returncode != 0:
                raise SynthError(
                    f"`{' '.join(command[1:])}` failed ({result.returncode}):\n{result.stderr[-4000:]}"
                )
            template = Template.load(template_path(Path(outdir), stack_name))
        _cache[key] = template
        return template


def template_path(cloud_assembly: Path, stack_name: str) -> Path:
    """The stack's template file, as the cloud assembly's manifest names it."""
    manifest_file = cloud_assembly / "manifest.json"
    if manifest_file.exists():
        artifacts = json.loads(manifest_file.read_text()).get("artifacts", {})
        for name, artifact in artifacts.items():
            if artifact.get("type") == "aws:cloudformation:stack" and stack_name in (
                name,
                artifact.get("displayName"),
            ):
                return cloud_assembly / artifact["properties"]["templateFile"]
    fallback = cloud_assembly / f"{stack_name}.template.json"
    if not fallback.exists():
        raise SynthError(f"no template for stack {stack_name} in {cloud_assembly}")
    return fallback
