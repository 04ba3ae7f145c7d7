import pytest

from sociograph.settings.base import database_from_url
from sociograph.settings.environment import ENV_VARS, env, env_bool, env_list


def test_env_falls_back_to_the_declared_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEO4J_URI", raising=False)
    assert env("NEO4J_URI") == ENV_VARS["NEO4J_URI"].default == "bolt://127.0.0.1:7687"


def test_env_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", "neo4j://cluster.example:7687")
    assert env("NEO4J_URI") == "neo4j://cluster.example:7687"


def test_an_empty_variable_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_USER", "")
    assert env("NEO4J_USER") == "neo4j"


def test_undeclared_variables_are_refused() -> None:
    with pytest.raises(KeyError, match="NOT_A_SETTING is not declared"):
        env("NOT_A_SETTING")


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("1", True), ("off", False), ("", True)]
)
def test_env_bool(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("DJANGO_DEBUG", raw)
    assert env_bool("DJANGO_DEBUG", default=True) is expected


def test_env_bool_names_the_variable_on_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_DEBUG", "maybe")
    with pytest.raises(ValueError, match="DJANGO_DEBUG='maybe' is not a boolean"):
        env_bool("DJANGO_DEBUG", default=False)


def test_env_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", " a.example, ,b.example ")
    assert env_list("DJANGO_ALLOWED_HOSTS") == ["a.example", "b.example"]


def test_empty_database_url_means_sqlite_in_the_var_folder() -> None:
    database = database_from_url("")
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert str(database["NAME"]).endswith("sociograph.sqlite3")


def test_sqlite_url_with_absolute_path() -> None:
    database = database_from_url("sqlite:////srv/data/org.sqlite3")
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == "/srv/data/org.sqlite3"


def test_postgres_url() -> None:
    database = database_from_url("postgres://hr:s3cret@db.internal:5433/sociograph")
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == (
        "db.internal",
        5433,
        "sociograph",
    )
    assert (database["USER"], database["PASSWORD"]) == ("hr", "s3cret")
