"""The one Lambda code asset every function shares: `functions/` + `shared/` (+ runtime deps).

Dependencies are pip-installed as manylinux2014_x86_64 / cp312 wheels on the host, so no
Docker is needed, from `requirements/lambda.lock` with `--require-hashes`: every package pinned
and checked against the hashes `make lock` recorded, so two deploys of one commit ship the same
bytes. With `bundle=false` the asset is only the source packages (fast synth for
tests and the local stack, which import the handlers from the checkout anyway).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_lambda as lambda_

SOURCE_PACKAGES = ("functions", "shared")
# The Lambda runtime ships boto3/botocore; bundling them only grows the package.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore"})
# Packages the runtime ships with boto3, removed from the bundle when a dependency drags them in.
RUNTIME_PRUNED = ("boto3", "botocore", "s3transfer")
PIP_PLATFORM = "manylinux2014_x86_64"
PYTHON_VERSION = "3.12"
_SOURCE_IGNORE = ("__pycache__", "*.pyc", "tests", ".pytest_cache", ".mypy_cache")
LAMBDA_LOCK = "requirements/lambda.lock"


def runtime_requirements(pyproject: Path) -> list[str]:
    """`[project] dependencies` of pyproject.toml minus what the Lambda runtime provides."""
    project = tomllib.loads(pyproject.read_text())["project"]
    requirements = []
    for spec in project.get("dependencies", []):
        name = spec.split(";")[0].split("[")[0]
        for sep in ("<", ">", "=", "!", "~", " "):
            name = name.split(sep)[0]
        if name.strip().lower() not in RUNTIME_PROVIDED:
            requirements.append(spec)
    return requirements


def _asset_excludes(include_pyproject: bool) -> list[str]:
    """Glob excludes that leave only the source packages (and pyproject.toml and the lock when
    the dependencies must be part of the asset hash)."""
    keep = [f"!{pkg}" for pkg in SOURCE_PACKAGES] + [f"!{pkg}/**" for pkg in SOURCE_PACKAGES]
    if include_pyproject:
        keep += ["!pyproject.toml", "!requirements", f"!{LAMBDA_LOCK}"]
    return ["*", ".*", *keep, "**/.*", "**/__pycache__", "**/*.pyc", "**/tests", "**/tests/**"]


@jsii.implements(cdk.ILocalBundling)
class PipLocalBundling:
    """Builds the asset on the host: pip wheels for the Lambda platform, then the sources."""

    def __init__(self, project_root: Path, lock: Path) -> None:
        self._root = project_root
        self._lock = lock

    def try_bundle(self, output_dir: str, _options: Any = None, **_kwargs: Any) -> bool:
        out = Path(output_dir)
        command = pip_install_command(self._lock, out)
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"pip could not bundle the Lambda dependencies:\n{result.stderr}")
        shutil.rmtree(out / "bin", ignore_errors=True)
        _prune_runtime_provided(out)
        copy_sources(self._root, out)
        return True


def copy_sources(project_root: Path, out: Path) -> None:
    """The project's own packages as the asset holds them (tests/infra/test_asset_imports.py
    imports every handler from such a copy)."""
    for pkg in SOURCE_PACKAGES:
        src = project_root / pkg
        if src.is_dir():
            shutil.copytree(src, out / pkg, ignore=shutil.ignore_patterns(*_SOURCE_IGNORE), dirs_exist_ok=True)


def _prune_runtime_provided(out: Path) -> None:
    """Remove what the Lambda runtime already ships that came in as a transitive dependency
    (aws-xray-sdk pulls botocore: 30 MB the runtime has)."""
    for name in RUNTIME_PRUNED:
        shutil.rmtree(out / name, ignore_errors=True)
        for dist_info in out.glob(f"{name}-*.dist-info"):
            shutil.rmtree(dist_info, ignore_errors=True)


def pip_install_command(lock: Path, target: Path) -> list[str]:
    """pip for the Lambda platform, installing exactly the lock's pins and refusing any file whose
    hash the lock does not list."""
    return [
        sys.executable, "-m", "pip", "install",
        "--quiet", "--disable-pip-version-check", "--no-compile",
        "--platform", PIP_PLATFORM,
        "--implementation", "cp",
        "--python-version", PYTHON_VERSION,
        "--only-binary=:all:",
        "--require-hashes",
        "--no-deps",  # the lock lists every dependency already
        "--upgrade",
        "--target", str(target),
        "-r", str(lock),
    ]  # fmt: skip


def lambda_code(project_root: Path, *, bundle: bool) -> lambda_.Code:
    """One `Code` object; reuse it for every function so the asset is staged once per synth."""
    if not bundle:
        return lambda_.Code.from_asset(
            str(project_root),
            exclude=_asset_excludes(include_pyproject=False),
            ignore_mode=cdk.IgnoreMode.GLOB,
        )
    lock = project_root / LAMBDA_LOCK
    if not lock.is_file():
        raise FileNotFoundError(f"{lock} is missing: run `make lock`")
    sources = " ".join(SOURCE_PACKAGES)
    return lambda_.Code.from_asset(
        str(project_root),
        exclude=_asset_excludes(include_pyproject=True),
        ignore_mode=cdk.IgnoreMode.GLOB,
        bundling=cdk.BundlingOptions(
            image=lambda_.Runtime.PYTHON_3_12.bundling_image,
            local=PipLocalBundling(project_root, lock),
            # What CDK would run in Docker; try_bundle always builds on the host (or fails
            # loudly), so no Docker engine is needed.
            command=[
                "bash",
                "-c",
                f"pip install --no-compile --require-hashes --no-deps -t /asset-output -r /asset-input/{LAMBDA_LOCK}"
                f" && cp -r {sources} /asset-output/",
            ],
        ),
    )
