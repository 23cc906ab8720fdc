"""Reproducible builds: the dev environment and the Lambda bundle install from hashed locks.

Two deploys of one commit must ship the same code, so nothing is resolved at install time:
`requirements/dev.lock` (what `make install` installs) and `requirements/lambda.lock` (what the
asset bundles) pin every package with the hashes of its files, and both agree with pyproject.toml
(`make lock` regenerates them after a change there).
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from infra.shared.bundling import LAMBDA_LOCK, RUNTIME_PRUNED, pip_install_command, runtime_requirements

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(lock: Path) -> dict[str, str]:
    return {_name(name): pinned for name, pinned in _PIN.findall(lock.read_text())}


def _entries(lock: Path) -> list[str]:
    """One entry per pinned package: its line and its `--hash` continuation lines."""
    return [entry for entry in re.split(r"\n(?=\S)", lock.read_text()) if _PIN.match(entry)]


def _project() -> dict:
    return tomllib.loads(PYPROJECT.read_text())["project"]


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("requirements/dev.lock", lambda: [*_project()["dependencies"], *_project()["optional-dependencies"]["dev"]]),
        (LAMBDA_LOCK, lambda: runtime_requirements(PYPROJECT)),
    ],
    ids=["dev", "lambda"],
)
def test_every_pyproject_dependency_is_pinned_in_the_lock_within_its_range(lock: str, requirements) -> None:
    pins = _pins(ROOT / lock)
    for spec in requirements():
        requirement = Requirement(spec)
        name = _name(requirement.name)
        assert name in pins, f"{name} is in pyproject.toml but not in {lock}: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{lock} pins {name}=={pins[name]}, outside pyproject's {requirement.specifier}: run `make lock`"
        )


@pytest.mark.parametrize("lock", ["requirements/dev.lock", LAMBDA_LOCK])
def test_every_pinned_package_carries_sha256_hashes(lock: str) -> None:
    entries = _entries(ROOT / lock)
    assert len(entries) >= 10
    for entry in entries:
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", entry), f"no hash for {entry.splitlines()[0]} in {lock}"


def test_the_lambda_lock_leaves_boto3_to_the_runtime() -> None:
    pins = _pins(ROOT / LAMBDA_LOCK)
    assert "boto3" not in pins
    assert "s3transfer" not in pins
    # botocore comes in with aws-xray-sdk; bundling prunes it after the install.
    assert "botocore" in RUNTIME_PRUNED


def test_the_bundle_installs_the_lock_with_hashes_required(tmp_path: Path) -> None:
    command = pip_install_command(ROOT / LAMBDA_LOCK, tmp_path)
    assert "--require-hashes" in command
    assert command[command.index("-r") + 1] == str(ROOT / LAMBDA_LOCK)
    # Nothing named outside the lock: no loose requirement string can pull another version.
    assert not [arg for arg in command if re.match(r"^[A-Za-z].*[<>=]", arg)]


def test_make_install_uses_the_dev_lock_with_hashes() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements/dev.lock" in makefile
    assert "-e '.[dev]'" not in makefile  # an unlocked resolve would pick whatever is newest


def test_cdk_nag_is_pinned_to_the_major_whose_api_the_stack_uses() -> None:
    [spec] = [s for s in _project()["optional-dependencies"]["dev"] if _name(Requirement(s).name) == "cdk-nag"]
    assert Requirement(spec).specifier == SpecifierSet(">=3,<4")
    assert SpecifierSet(">=3,<4").contains(version("cdk-nag"))
