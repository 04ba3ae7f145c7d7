"""Guard rails of the layout that, once broken, break everything else."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CYPHER_HOMES = (ROOT / "sociograph" / "graph" / "cypher", ROOT / "analytics" / "patterns")
CYPHER_ALLOWED_MARK = "# hostile input, not a query"
CYPHER_KEYWORDS = "MATCH|MERGE|UNWIND|DETACH DELETE|CREATE CONSTRAINT|CREATE INDEX"
CYPHER_CLAUSE = re.compile(rf"""["'][^"'\n]*\b({CYPHER_KEYWORDS})\b\s*[($\w]""")


def python_sources() -> list[Path]:
    skip = {".venv", "var", "node_modules", ".git"}
    return [p for p in ROOT.rglob("*.py") if not skip.intersection(p.relative_to(ROOT).parts)]


def test_platform_is_not_a_python_package() -> None:
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_the_standard_platform_module_wins_from_the_project_root() -> None:
    probe = "import platform, uuid, sys; print(platform.__file__); uuid.uuid4(); platform.system()"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert not result.stdout.strip().startswith(str(ROOT))


def test_top_level_layout() -> None:
    for name in ("manage.py", "platform", "people", "recognition", "analytics", "tests"):
        assert (ROOT / name).exists(), name
    for name in ("docker-compose.yml", "README.md", "Makefile", ".ci/run"):
        assert (ROOT / name).is_file(), name


def test_cypher_lives_only_in_the_query_modules() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in python_sources()
        if path != Path(__file__) and not any(home in path.parents for home in CYPHER_HOMES)
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if CYPHER_CLAUSE.search(line) and CYPHER_ALLOWED_MARK not in line
    ]
    assert offenders == []


def test_the_cypher_detector_recognizes_cypher() -> None:
    assert CYPHER_CLAUSE.search('query = "MATCH (p:Person) RETURN p"')
    assert CYPHER_CLAUSE.search("'UNWIND $rows AS row'")
    assert not CYPHER_CLAUSE.search('"a person may match many contexts"')


def test_settings_read_the_environment_only_through_the_registry() -> None:
    readers = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "sociograph").rglob("*.py")
        if re.search(r"os\.environ\.get|os\.getenv|os\.environ\[", path.read_text())
    ]
    assert readers == ["sociograph/settings/environment.py"]


def test_no_test_module_or_conftest_is_imported() -> None:
    """Helpers shared by tests live in tests/support/; test modules and conftest.py files are
    pytest's to import (a conftest.py holds fixtures, which pytest finds by itself)."""
    module = r"(test_\w+|conftest)\b"
    imported = re.compile(
        rf"^\s*((from|import)\s+tests(\.\w+)*\.{module}|from\s+tests(\.\w+)*\s+import\s+{module})",
        re.MULTILINE,
    )
    offenders = [
        str(path.relative_to(ROOT))
        for path in [*(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]
        if imported.search(path.read_text())
    ]
    assert offenders == []
