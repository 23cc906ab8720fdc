"""No module under functions/<domain>/ imports functions/<other domain>/ (issue 8, item 1).

What several domains share lives in shared/. KNOWN_CROSSINGS was the list of imports that still
crossed a boundary (30 when issue 8 began); it is empty now and a new crossing fails here. Imports
are read with ast, so a lazy import inside a function counts the same as one at the top of a
module; shared/ itself imports no domain.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.imports import absolute_imports

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"

# (module, the other domain it imports): empty since issue 8 moved what they shared into shared/.
KNOWN_CROSSINGS: frozenset[tuple[str, str]] = frozenset()


def crossings_in(source: str, domain: str) -> set[str]:
    """The other domains under functions/ that this module's source imports (absolute or lazy)."""
    found: set[str] = set()
    for _, name in absolute_imports(source):
        parts = name.split(".")
        if parts[0] == "functions" and len(parts) > 1 and parts[1] != domain:
            found.add(parts[1])
    return found


def tree_crossings(functions: Path) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in sorted(functions.rglob("*.py")):
        parts = path.relative_to(functions).parts
        if len(parts) < 2:
            continue
        rel = path.relative_to(functions.parent).as_posix()
        found |= {(rel, other) for other in crossings_in(path.read_text(encoding="utf-8"), parts[0])}
    return found


def test_no_domain_imports_another_beyond_the_known_crossings() -> None:
    found = tree_crossings(FUNCTIONS)
    new = sorted(found - KNOWN_CROSSINGS)
    assert not new, f"imports between domains (move what is shared into shared/): {new}"


def test_known_crossings_are_kept_exact_so_the_list_only_shrinks() -> None:
    gone = sorted(KNOWN_CROSSINGS - tree_crossings(FUNCTIONS))
    assert not gone, f"remove these from KNOWN_CROSSINGS, they no longer cross: {gone}"


def test_a_lazy_import_of_another_domain_is_caught(tmp_path: Path) -> None:
    module = tmp_path / "functions" / "returns" / "logic" / "refund.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "from functions.returns.models import Refund\n"
        "def run():\n"
        "    from functions.orders.dal.state_store import StateKeys\n"
        "    import functions.inventory.logic.atp\n"
    )
    assert tree_crossings(tmp_path / "functions") == {
        ("functions/returns/logic/refund.py", "orders"),
        ("functions/returns/logic/refund.py", "inventory"),
    }


def test_imports_within_the_domain_and_from_shared_are_not_crossings() -> None:
    source = (
        "import functions.orders.logic\n"
        "from functions.orders.dal import x\n"
        "from shared.errors import E\n"
        "from . import y\n"
    )
    assert crossings_in(source, "orders") == set()


def test_the_shared_kernel_imports_no_domain() -> None:
    # shared/ is what the domains stand on: it never reaches back up into functions/
    reaching_up: list[str] = []
    for path in sorted((ROOT / "shared").rglob("*.py")):
        names = [name for _, name in absolute_imports(path.read_text(encoding="utf-8"), str(path))]
        if any(name == "functions" or name.startswith("functions.") for name in names):
            reaching_up.append(path.relative_to(ROOT).as_posix())
    assert reaching_up == []
