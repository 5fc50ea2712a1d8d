"""The boundaries check between apps, and the reason required on unscoped queries."""

from __future__ import annotations

from pathlib import Path

from shequn.devtools.boundaries import check_tree


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for app in ("core", "tenancy", "shop", "billing"):
        (tmp_path / app).mkdir(exist_ok=True)
        (tmp_path / app / "apps.py").write_text("")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def _messages(root: Path) -> list[str]:
    return [f"{v.path.relative_to(root)}:{v.line}" for v in check_tree(root)]


def test_apps_meet_through_services_queries_models_and_the_kernel(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "shop/views.py": "\n".join(
                [
                    "from shequn.billing import services, queries",
                    "from shequn.billing.models import Invoice",
                    "from shequn.tenancy.scope import tenant_scope",
                    "from shequn.core.anything import x",
                    "from shequn.shop.internal import y",
                    "import shequn.billing.queries",
                ]
            ),
        },
    )
    assert _messages(root) == []


def test_reaching_into_another_app_is_a_violation(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "shop/views.py": "from shequn.billing.internals import secret\n"
            "from shequn.tenancy import middleware\n"
            "import shequn.billing.forms\n",
        },
    )
    assert _messages(root) == ["shop/views.py:1", "shop/views.py:2", "shop/views.py:3"]


def test_unscoped_needs_a_reason(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "shop/jobs.py": "rows = Order.objects.unscoped()\n"
            "# unscoped: the nightly export reads every tenant\n"
            "ok = Order.objects.unscoped()\n"
            "fine = Order.objects.unscoped().count()  # unscoped: metrics\n"
            "bad = Order.objects.unscoped()  # unscoped:\n",
        },
    )
    assert _messages(root) == ["shop/jobs.py:1", "shop/jobs.py:5"]
