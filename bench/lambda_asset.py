"""Python as a deployed function runs it: the asset's packages, its dependencies, nothing else.

Tests and the local stack import the handlers from the checkout, where `infra`, `local` and every
dev tool (moto, rich, click, pygments...) are importable too, the checkout through the editable
install's `.pth` finder. A deployed function sees only what `infra/shared/bundling.py` puts in the
asset, beside the runtime's boto3. `asset_python` starts an interpreter that sees the same:

- `-I -S`: no current directory, no PYTHON* variables, no `site`, so no `.pth` file (the editable
  finder never loads);
- `sys.path` = a copy of the asset's sources (made by the bundling code), the standard library,
  then a directory of links to the installed runtime dependencies only (the dependencies' closure
  from pyproject.toml, plus what the Lambda runtime ships with boto3), so e.g. httpx's optional
  `rich`/`click` CLI imports fail as they do in Lambda;
- a meta-path finder that refuses, by name, every other top-level module installed here and the
  checkout's packages that are never bundled (belt and braces: a clear error message).

`tests/infra/test_asset_imports.py` imports every handler of the template this way; `bench/
cold_import.py` times them this way.
"""

from __future__ import annotations

import atexit
import importlib.metadata
import json
import shutil
import site
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from infra.shared.bundling import RUNTIME_PROVIDED, copy_sources, runtime_requirements

ROOT = Path(__file__).resolve().parents[1]

# Runs first in every asset interpreter: argv[1] is the asset directory, argv[2] a JSON list of
# dependency directories, argv[3] a JSON list of top-level names the asset does not hold.
PROLOGUE = """
import json as _json, sys as _sys
_asset, _deps, _refused = _sys.argv[1], _json.loads(_sys.argv[2]), frozenset(_json.loads(_sys.argv[3]))
_sys.path[:] = [_asset, *_sys.path, *_deps]
class _NotInAsset:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.partition(".")[0] in _refused:
            raise ModuleNotFoundError(f"No module named {name!r} (not in the Lambda asset)", name=name)
        return None
_sys.meta_path.insert(0, _NotInAsset)
del _json
"""


def stage_sources(out: Path) -> Path:
    """A copy of the project's packages exactly as the asset holds them."""
    copy_sources(ROOT, out)
    return out


@cache
def dependency_paths() -> list[str]:
    """One directory holding only the runtime dependencies, as the asset holds them beside the
    sources: links to the installed files of each runtime distribution (and its `.dist-info`, so
    `importlib.metadata`, which pydantic scans for plugins, sees what the Lambda would see)."""
    out = Path(tempfile.mkdtemp(prefix="lambda-deps-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    site_packages = [Path(path) for path in site.getsitepackages() if Path(path).is_dir()]
    for distribution in importlib.metadata.distributions(path=[str(p) for p in site_packages]):
        if canonicalize_name(distribution.metadata["Name"]) not in runtime_distributions():
            continue
        base = Path(str(distribution.locate_file("")))
        for top in {Path(str(f)).parts[0] for f in distribution.files or [] if not str(f).startswith("..")}:
            if (base / top).exists() and not (out / top).exists():
                (out / top).symlink_to(base / top)
    return [str(out)]


@cache
def runtime_distributions() -> frozenset[str]:
    """The runtime dependencies of pyproject.toml and what they require, with extras, plus the
    boto3 the Lambda runtime provides (and its own requirements)."""
    roots = [Requirement(spec) for spec in runtime_requirements(ROOT / "pyproject.toml")]
    roots += [Requirement(name) for name in sorted(RUNTIME_PROVIDED)]
    extras_of: dict[str, frozenset[str]] = {}
    pending = [(r.name, frozenset(r.extras)) for r in roots]
    while pending:
        name, extras = pending.pop()
        key = canonicalize_name(name)
        if key in extras_of and extras <= extras_of[key]:
            continue
        extras_of[key] = extras_of.get(key, frozenset()) | extras
        for spec in importlib.metadata.distribution(name).requires or []:
            requirement = Requirement(spec)
            environments = [{"extra": extra} for extra in extras_of[key]] or [{"extra": ""}]
            if requirement.marker is None or any(requirement.marker.evaluate(env) for env in environments):
                pending.append((requirement.name, frozenset(requirement.extras)))
    return frozenset(extras_of)


@cache
def refused_modules() -> tuple[str, ...]:
    """Top-level modules installed here that no runtime dependency provides (dev tools, the
    editable install's own mapping), plus the checkout's packages that are never bundled."""
    allowed = runtime_distributions()
    refused = {
        module
        for module, distributions in importlib.metadata.packages_distributions().items()
        if not any(canonicalize_name(d) in allowed for d in distributions)
    }
    refused |= {"infra", "local", "tests", "bench", "app"}
    refused -= {"functions", "shared"}  # the asset's own packages (installed editable here)
    return tuple(sorted(refused))


def asset_python(
    asset: Path, code: str, env: dict[str, str], args: Sequence[str] = (), *, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter that sees only what the deployed function sees (`args`
    are `sys.argv[4:]`)."""
    command = [
        sys.executable, "-I", "-S", "-c", PROLOGUE + code,
        str(asset), json.dumps(dependency_paths()), json.dumps(refused_modules()), *args,
    ]  # fmt: skip
    return subprocess.run(command, cwd=asset, env=env, capture_output=True, text=True, check=False, timeout=timeout)


def lambda_environment(function: dict[str, Any]) -> dict[str, str]:
    """A template function's variables as Lambda sets them (references become placeholders; a
    joined value, such as a JSON map of queue URLs, keeps its shape around them)."""
    variables = function["Properties"].get("Environment", {}).get("Variables", {})
    environment = {"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "PATH": "/usr/bin:/bin"}
    for name, value in variables.items():
        environment[name] = _render(value, f"placeholder-{name.lower()}")
    return environment


def _render(value: Any, placeholder: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(_render(part, placeholder) for part in parts)
    return placeholder


def template_functions(resources: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The template's Python Lambda functions by logical id."""
    return {
        logical_id: resource
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::Lambda::Function"
        and resource["Properties"].get("Runtime", "").startswith("python")
    }


def synthesized_resources(outdir: Path) -> dict[str, dict[str, Any]]:
    """The stack's resources, synthesized without bundling (what `make synth-fast` writes)."""
    from aws_cdk.assertions import Template

    from app import build_app

    _, stack = build_app({"environment": "bench", "bundle": "false"}, outdir=str(outdir))
    resources: dict[str, dict[str, Any]] = Template.from_stack(stack).to_json()["Resources"]
    return resources
