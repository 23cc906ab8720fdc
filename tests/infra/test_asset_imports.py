"""Every handler in the template imports from what its Lambda asset holds, and nothing else.

Tests and the local stack run from the repository root (and the project is installed editable, so
`infra`, `local` and the rest resolve from anywhere in this venv): a handler importing what the asset
does not bundle would pass every other test and fail every request once deployed. Here each handler
is imported in a fresh interpreter that sees exactly the asset's layout (`bench/lambda_asset.py`): a
copy of the project's packages made by the bundling code itself, then the installed runtime
dependencies; no current directory, no `.pth` files (so not the editable finder), no dev tools.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.lambda_asset import ROOT, asset_python, lambda_environment, stage_sources, template_functions
from infra.shared.bundling import SOURCE_PACKAGES
from tests.support.imports import absolute_imports

# Packages of the checkout that are never in a Lambda asset.
NOT_BUNDLED = ("infra", "local", "tests", "bench", "app")

_PROBE = """
import importlib, json, sys
handler = sys.argv[4]
module_name, _, attribute = handler.rpartition(".")
try:
    if not callable(getattr(importlib.import_module(module_name), attribute)):
        raise TypeError(f"{handler} is not callable")
except BaseException as exc:
    print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
    raise SystemExit(0)
outside = sorted(
    name for name, module in list(sys.modules.items())
    if name.split(".")[0] in __BUNDLED__ and not str(getattr(module, "__file__", None) or _asset).startswith(_asset)
)
print(json.dumps({"error": None, "outside_asset": outside}))
"""


def import_problem(asset: Path, handler: str, environment: dict[str, str]) -> str | None:
    """None when `handler` ("package.module.function") imports from `asset` alone; else what went wrong."""
    probe = _PROBE.replace("__BUNDLED__", repr(set(SOURCE_PACKAGES)))
    result = asset_python(asset, probe, environment, [handler])
    if result.returncode != 0:
        return f"probe exited {result.returncode}: {result.stderr.strip()[-2000:]}"
    answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    if answer["error"]:
        return str(answer["error"])
    if answer["outside_asset"]:
        return f"imported from outside the asset: {answer['outside_asset']}"
    return None


@pytest.fixture(scope="module")
def asset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return stage_sources(tmp_path_factory.mktemp("asset"))


def test_the_asset_copy_holds_only_the_bundled_packages(asset: Path) -> None:
    assert sorted(p.name for p in asset.iterdir()) == sorted(SOURCE_PACKAGES)
    assert not list(asset.rglob("__pycache__"))


def test_every_handler_in_the_template_imports_from_its_asset_alone(
    asset: Path, resources: dict[str, dict[str, Any]]
) -> None:
    functions = template_functions(resources)
    assert len(functions) >= 10, "the template should name every function"
    problems = {
        logical_id: import_problem(asset, function["Properties"]["Handler"], lambda_environment(function))
        for logical_id, function in functions.items()
    }
    assert {k: v for k, v in problems.items() if v} == {}


# The check itself must be able to fail: a handler reaching for `infra` (which the editable
# install makes importable from anywhere in this venv) is caught.
def _fake_asset(tmp_path: Path, handler_source: str) -> Path:
    package = tmp_path / "functions" / "demo"
    package.mkdir(parents=True)
    (tmp_path / "functions" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "handler.py").write_text(handler_source)
    return tmp_path


def test_a_handler_importing_infra_fails_the_check(tmp_path: Path) -> None:
    # GIVEN a handler that reads a constant from infra, importable here through the editable install
    asset = _fake_asset(
        tmp_path, "from infra.constants import SERVICE\n\ndef lambda_handler(event, context):\n    return SERVICE\n"
    )
    subprocess.run([sys.executable, "-c", "import infra.constants"], cwd=tmp_path, check=True)
    # WHEN it is imported as the asset would import it
    problem = import_problem(asset, "functions.demo.handler.lambda_handler", {"PATH": "/usr/bin:/bin"})
    # THEN the check reports it
    assert problem is not None
    assert "No module named 'infra'" in problem


def test_a_handler_importing_the_checkout_copy_of_a_bundled_package_fails_the_check(tmp_path: Path) -> None:
    asset = _fake_asset(
        tmp_path,
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('shared', {str(ROOT / 'shared' / '__init__.py')!r})\n"
        "sys.modules['shared'] = importlib.util.module_from_spec(spec)\n"
        "def lambda_handler(event, context):\n    return None\n",
    )
    problem = import_problem(asset, "functions.demo.handler.lambda_handler", {"PATH": "/usr/bin:/bin"})
    assert problem is not None
    assert "outside the asset" in problem


def test_a_handler_importing_a_dev_only_package_fails_the_check(tmp_path: Path) -> None:
    # rich is installed here (for bench) but no runtime dependency brings it into the asset.
    asset = _fake_asset(tmp_path, "import rich\n\ndef lambda_handler(event, context):\n    return None\n")
    problem = import_problem(asset, "functions.demo.handler.lambda_handler", {"PATH": "/usr/bin:/bin"})
    assert problem is not None
    assert "not in the Lambda asset" in problem


def test_a_missing_handler_attribute_fails_the_check(tmp_path: Path) -> None:
    asset = _fake_asset(tmp_path, "def handler(event, context):\n    return None\n")
    problem = import_problem(asset, "functions.demo.handler.lambda_handler", {"PATH": "/usr/bin:/bin"})
    assert problem is not None
    assert "AttributeError" in problem


def test_a_self_contained_handler_passes_the_check(tmp_path: Path) -> None:
    asset = _fake_asset(tmp_path, "import json\n\ndef lambda_handler(event, context):\n    return json.dumps(event)\n")
    assert import_problem(asset, "functions.demo.handler.lambda_handler", {"PATH": "/usr/bin:/bin"}) is None


# Lint: the same rule, read from the source, so a lazy import inside a function is caught too.
def not_bundled_imports(root: Path) -> list[str]:
    """`path:line module` for every import under the bundled packages of a package not bundled."""
    found = []
    for package in SOURCE_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            for line, name in absolute_imports(path.read_text(), str(path)):
                if name.split(".")[0] in NOT_BUNDLED:
                    found.append(f"{path.relative_to(root)}:{line} {name}")
    return found


def test_no_bundled_module_imports_what_the_asset_does_not_hold() -> None:
    assert not_bundled_imports(ROOT) == []


def test_the_import_lint_finds_a_lazy_import_of_local(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "x.py").write_text("def f():\n    from local.config import Config\n    return Config\n")
    assert not_bundled_imports(tmp_path) == ["shared/x.py:2 local.config"]
