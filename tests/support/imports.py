"""The modules a Python source imports by absolute name (`import a.b`, `from a.b import c`, lazy
ones inside functions too), with the line of each: what the import-boundary tests read."""

from __future__ import annotations

import ast


def absolute_imports(source: str, filename: str = "<source>") -> list[tuple[int, str]]:
    """`(line, module)` for every absolute import in `source`; relative imports are left out."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found
