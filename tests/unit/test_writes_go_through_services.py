"""The interfaces (web/) and the admins write domain data only through the services, which hold
the checks (reporting and parent loops, overlapping periods) and record the outbox entries.

Read from the source of every module under web/ and every admin.py: no outbox call, no
`.save()`/`.delete()` (but a form's `save(commit=False)`), no write through a domain model's
manager. The admins of people and recognition delegate saves and deletes to the services."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from sociograph.graph.admin import ProjectedModelAdmin

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ("people", "recognition", "analytics")
OUTBOX_WRITERS = {"delete_with_outbox", "record_change", "insert_rows"}
WRITES = {
    "save",
    "delete",
    "create",
    "update",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
# (module, call) -> why it is not a write of domain data.
ALLOWED = {
    ("web/api/views/webhooks.py", "serializer.save"): "a webhook (a feature's own model)",
    ("web/api/management/commands/issue_token.py", "user.save"): "the login (auth.User)",
    (
        "web/api/management/commands/issue_token.py",
        "get_user_model().objects.get_or_create",
    ): "the login (auth.User)",
}


def guarded_modules() -> list[Path]:
    web = [path for path in (ROOT / "web").rglob("*.py") if "migrations" not in path.parts]
    admins = [*ROOT.glob("*/admin.py"), *ROOT.glob("sociograph/*/admin.py")]
    return sorted({*web, *admins})


def domain_models() -> set[str]:
    names = set()
    for app in DOMAIN:
        tree = ast.parse((ROOT / app / "models.py").read_text(encoding="utf-8"))
        names |= {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    return names


def chain_root(node: ast.expr) -> ast.expr:
    """`Person.objects.filter(...).update` -> `Person`."""
    while isinstance(node, ast.Attribute | ast.Call):
        node = node.value if isinstance(node, ast.Attribute) else node.func
    return node


def is_form_save(call: ast.Call) -> bool:
    return any(
        keyword.arg == "commit"
        and isinstance(keyword.value, ast.Constant)
        and keyword.value.value is False
        for keyword in call.keywords
    )


def direct_writes(where: str, source: str, models: set[str]) -> Iterator[str]:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            names = {alias.name for alias in node.names} & OUTBOX_WRITERS
            yield from (f"{where}:{node.lineno} imports {name}" for name in sorted(names))
        if isinstance(node, ast.Name | ast.Attribute):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name in OUTBOX_WRITERS:
                yield f"{where}:{node.lineno} uses {name}"
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        call, method = ast.unparse(node.func), node.func.attr
        if method not in WRITES or (where, call) in ALLOWED:
            continue
        root = chain_root(node.func)
        if isinstance(root, ast.Name) and root.id in models:
            yield f"{where}:{node.lineno} writes {call}(...) on a domain model"
        elif method in ("save", "delete") and not is_form_save(node):
            yield f"{where}:{node.lineno} calls {call}(...)"


def test_the_rule_sees_the_writes_it_forbids() -> None:
    source = "\n".join(
        [
            "from sociograph.graph.outbox import delete_with_outbox",
            "Person.objects.filter(pk=1).exclude(pk=2).update(name='x')",
            "Context.objects.create(kind='team', name='x')",
            "person.save()",
            "formset.save(commit=False)",
            "people.update({'a': 1})",
            "Person.objects.filter(pk=1).first()",
        ]
    )
    found = list(direct_writes("probe.py", source, domain_models()))
    assert [line.split(" ")[0] for line in found] == [
        "probe.py:1",
        "probe.py:2",
        "probe.py:3",
        "probe.py:4",
    ]


def test_interfaces_and_admins_write_only_through_services() -> None:
    models = domain_models()
    modules = guarded_modules()
    assert ROOT / "web" / "api" / "views" / "directory.py" in modules
    assert ROOT / "people" / "admin.py" in modules
    found = [
        line
        for path in modules
        for line in direct_writes(
            path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"), models
        )
    ]
    assert found == []


def test_every_allowed_call_is_still_there() -> None:
    calls = {
        (where, ast.unparse(node.func))
        for where, _ in ALLOWED
        for node in ast.walk(ast.parse((ROOT / where).read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
    }
    assert set(ALLOWED) <= calls


@pytest.mark.parametrize("app", ["people", "recognition"])
def test_the_admins_of_people_and_recognition_write_through_services(app: str) -> None:
    """Each is a ProjectedModelAdmin naming its services, or cannot write at all."""
    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(is_superuser=True, is_active=True)
    admins = [a for model, a in admin.site._registry.items() if model._meta.app_label == app]
    assert admins
    for model_admin in admins:
        kind = type(model_admin)
        if isinstance(model_admin, ProjectedModelAdmin):
            for hook in ("save_with_service", "delete_with_service"):
                assert getattr(kind, hook) is not getattr(ProjectedModelAdmin, hook), (kind, hook)
            if model_admin.inlines:
                assert kind.save_formset is not ProjectedModelAdmin.save_formset, kind
            continue
        assert not model_admin.has_add_permission(request), kind
        assert not model_admin.has_change_permission(request), kind
        assert not model_admin.has_delete_permission(request), kind
