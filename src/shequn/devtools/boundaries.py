"""Boundaries between the product's Django apps, checked on the source (no imports executed).

1. An app uses another app only through its `services` (writes), `queries` (reads) and `models`
   (foreign keys and types). The shared kernel may be used from anywhere: `shequn.core`,
   tenancy's `scope`, `access`, `roles`, `managers`, jobs' `tasks` and `schedule`, the handler
   registry (`ingest.handlers`), the API's error format and pagination (for each app's `api.py`)
   and the console's navigation and view decorators (for each app's console pages). The `api`
   app also mounts every app's Ninja router (`<app>.api`).
2. Every `.unscoped()` call (a query across all tenants) carries a `# unscoped: <reason>`
   comment on its line(s) or on a comment line just above.

    python -m shequn.devtools.boundaries [SRC_DIR]
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

PUBLIC_MODULES = frozenset({"services", "queries", "models"})
SHARED_KERNEL: dict[str, frozenset[str] | None] = {
    "core": None,  # all of it
    "tenancy": frozenset({"scope", "access", "roles", "managers"}),
    "jobs": frozenset({"tasks", "schedule"}),  # task conventions and `@periodic`
    "ingest": frozenset({"handlers"}),  # `@handles` and `HandlerContext`
    "api": frozenset({"errors", "pagination"}),  # one error format and paginator for every router
    # areas, `@workspace_view`, and the overview's series registry
    "console": frozenset({"navigation", "views.decorators", "overview"}),
}
# Modules of *every* app that one particular app may import: the API mounts each app's router.
MOUNTED_BY: dict[str, frozenset[str]] = {"api": frozenset({"api"})}
_UNSCOPED_REASON = re.compile(r"#\s*unscoped:\s*\S")


@dataclass(frozen=True)
class Violation:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def find_apps(root: Path) -> frozenset[str]:
    """Django apps: the packages under shequn/ with an apps.py."""
    return frozenset(p.parent.name for p in root.glob("*/apps.py"))


def _app_of(path: Path, root: Path, apps: frozenset[str]) -> str | None:
    parts = path.relative_to(root).parts
    return parts[0] if parts and parts[0] in apps else None


def _allowed(own_app: str, target_app: str, module: str | None) -> bool:
    """`module` is the dotted path inside the target app ("views.decorators"), or None."""
    first = module.split(".", 1)[0] if module else None
    if first in PUBLIC_MODULES or first in MOUNTED_BY.get(own_app, frozenset()):
        return True
    if target_app in SHARED_KERNEL:
        allowed = SHARED_KERNEL[target_app]
        return allowed is None or any(
            module is not None and (module == name or module.startswith(f"{name}."))
            for name in allowed
        )
    return False


def _imported(node: ast.AST, apps: frozenset[str]) -> list[tuple[str, str | None]]:
    """(app, dotted module inside the app or None) for each shequn app this node imports."""
    found: list[tuple[str, str | None]] = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            parts = alias.name.split(".")
            if len(parts) >= 2 and parts[0] == "shequn" and parts[1] in apps:
                found.append((parts[1], ".".join(parts[2:]) or None))
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        parts = node.module.split(".")
        if len(parts) >= 2 and parts[0] == "shequn" and parts[1] in apps:
            if len(parts) > 2:
                found.append((parts[1], ".".join(parts[2:])))
            else:  # `from shequn.accounts import services, queries`
                found.extend((parts[1], alias.name) for alias in node.names)
    return found


def _comment_lines(source: str) -> dict[int, tuple[str, bool]]:
    """Line → (comment, whether the comment is alone on its line)."""
    comments: dict[int, tuple[str, bool]] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = (tok.string, tok.line.lstrip().startswith("#"))
    except (tokenize.TokenError, SyntaxError):
        pass
    return comments


def check_file(path: Path, root: Path, apps: frozenset[str] | None = None) -> list[Violation]:
    apps = find_apps(root) if apps is None else apps
    source = path.read_text(encoding="utf-8")
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        return [Violation(path, exc.lineno or 0, f"cannot parse: {exc.msg}")]
    violations: list[Violation] = []
    own_app = _app_of(path, root, apps)
    in_migrations = "migrations" in path.parts
    comments = _comment_lines(source)
    for node in ast.walk(tree):
        if own_app and not in_migrations and isinstance(node, ast.Import | ast.ImportFrom):
            for target_app, module in _imported(node, apps):
                if target_app != own_app and not _allowed(own_app, target_app, module):
                    dotted = f"shequn.{target_app}" + (f".{module}" if module else "")
                    violations.append(
                        Violation(
                            path,
                            node.lineno,
                            f"{own_app} imports {dotted}: use {target_app}'s services, "
                            "queries or models (or the shared kernel)",
                        )
                    )
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "unscoped"
        ):
            lines = range(node.lineno, (node.end_lineno or node.lineno) + 1)
            reasons = [comments.get(n, ("", False))[0] for n in lines]
            above, standalone = comments.get(node.lineno - 1, ("", False))
            if standalone:
                reasons.append(above)
            if not any(_UNSCOPED_REASON.search(text) for text in reasons):
                violations.append(
                    Violation(
                        path, node.lineno, "`.unscoped()` needs a `# unscoped: <reason>` comment"
                    )
                )
    return violations


def check_tree(root: Path) -> list[Violation]:
    apps = find_apps(root)
    violations: list[Violation] = []
    for path in sorted(root.rglob("*.py")):
        violations.extend(check_file(path, root, apps))
    return violations


def default_root() -> Path:
    return Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]).resolve() if args else default_root()
    violations = check_tree(root)
    for violation in violations:
        print(violation)
    files = sum(1 for _ in root.rglob("*.py"))
    print(f"boundaries: {len(violations)} violation(s) in {files} files under {root}")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
