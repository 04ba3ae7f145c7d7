"""docker-compose.yml: valid Compose, a healthy start-up order, and in step with the settings.

Pure unit tests: they read files only. No Django, no database, no Docker engine, no services.
The Compose schema is the official one from the compose-spec project, vendored in
tests/fixtures/compose-spec.json (see tests/fixtures/README.md).
"""

from __future__ import annotations

import copy
import importlib.util
import itertools
import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
SCHEMA_FILE = ROOT / "tests" / "fixtures" / "compose-spec.json"
ENVIRONMENT_PY = ROOT / "sociograph" / "settings" / "environment.py"
DOCKERFILE = "platform/docker/Dockerfile"
DEPLOYMENT_DOC = ROOT / "docs" / "deployment.md"
ENV_EXAMPLE = ROOT / ".env.example"

APP_SERVICES = ("web", "worker", "worker-webhooks", "beat")
EXPECTED_SERVICES = frozenset(
    {"neo4j", "redis", "postgres", "web", "worker", "worker-webhooks", "beat", "flower"}
)
# Read by Django itself rather than by the settings, so it is not in ENV_VARS.
EXTRA_APP_VARIABLES = frozenset({"DJANGO_SETTINGS_MODULE"})
SERVICE_LOCATION_VARIABLES = (
    "DATABASE_URL",
    "NEO4J_URI",
    "NEO4J_USER",
    "NEO4J_PASSWORD",
    "REDIS_URL",
)
CELERY_QUEUES = frozenset({"celery", "graph_sync", "analytics", "webhooks"})
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|AUTH")
# Secrets without which Compose refuses to start (`${VAR:?message}`), and values for the tests.
REQUIRED_SECRETS = {
    "DJANGO_SECRET_KEY": "k" * 20 + "-sample-secret-key-for-the-compose-tests-only-0123456789",
    "NEO4J_PASSWORD": "neo4j-sample-password",
    "POSTGRES_PASSWORD": "postgres-sample-password",
}

Compose = dict[str, Any]


# --- Compose variable interpolation (the subset of the Compose spec this file may use) ---------

_INTERPOLATION = re.compile(
    r"\$(?:"
    r"(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<operator>:?[-?])(?P<argument>[^}]*))?\}"
    r"|(?P<named>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<invalid>)"
    r")"
)


def interpolate(value: str, environ: Mapping[str, str]) -> str:
    """`value` as Compose interpolates it from `environ` (`$$` is a literal `$`)."""

    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["invalid"] is not None:
            raise ValueError(f"invalid interpolation at {match.start()} in {value!r}")
        name = match["braced"] or match["named"]
        operator, argument = match["operator"], match["argument"] or ""
        if "$" in argument:
            raise ValueError(f"nested interpolation is not supported here: {value!r}")
        current = environ.get(name)
        if operator is None:
            return current or ""
        unset = current is None or (operator.startswith(":") and not current)
        if operator.endswith("-"):
            return argument if unset else str(current)
        if unset:
            raise ValueError(f"required variable {name} is not set: {argument}")
        return str(current)

    return _INTERPOLATION.sub(replace, value)


def interpolate_tree(node: Any, environ: Mapping[str, str]) -> Any:
    """Every string value of a loaded Compose document, interpolated."""
    if isinstance(node, str):
        return interpolate(node, environ)
    if isinstance(node, dict):
        return {key: interpolate_tree(value, environ) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate_tree(item, environ) for item in node]
    return node


def strings_in(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings_in(item)


# --- Loading ----------------------------------------------------------------------------------


def load_environment_module() -> ModuleType:
    """sociograph/settings/environment.py, loaded from its file.

    Importing it as `sociograph.settings.environment` would first run sociograph/__init__.py,
    which builds the Celery app; these tests need the variable table only.
    """
    module_name = "_sociograph_settings_environment_for_compose_test"
    spec = importlib.util.spec_from_file_location(module_name, ENVIRONMENT_PY)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look the module up while building classes
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[module_name]
    return module


@pytest.fixture(scope="module")
def raw_compose() -> Compose:
    """docker-compose.yml as written (anchors and merge keys resolved, no interpolation)."""
    document = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict), "docker-compose.yml must be a mapping"
    return document


@pytest.fixture(scope="module")
def compose(raw_compose: Compose) -> Compose:
    """docker-compose.yml as Compose sees it when only the required secrets are set: every other
    variable takes its local default."""
    resolved: Compose = interpolate_tree(raw_compose, REQUIRED_SECRETS)
    return resolved


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> jsonschema.Draft7Validator:
    # The schema declares draft-07 ("$schema": "https://json-schema.org/draft-07/schema").
    return jsonschema.Draft7Validator(schema)


@pytest.fixture(scope="module")
def environment_module() -> ModuleType:
    return load_environment_module()


@pytest.fixture(scope="module")
def env_var_names(environment_module: ModuleType) -> frozenset[str]:
    env_vars: dict[str, object] = environment_module.ENV_VARS
    return frozenset(env_vars)


def services_of(document: Compose) -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = document["services"]
    return services


def environment_of(service: Mapping[str, Any]) -> dict[str, str | None]:
    """A service's `environment`, in either Compose form (mapping, or list of KEY[=VALUE])."""
    environment = service.get("environment") or {}
    if isinstance(environment, dict):
        return {name: None if value is None else str(value) for name, value in environment.items()}
    pairs = (item.partition("=") for item in environment)
    return {name: value if sep else None for name, sep, value in pairs}


def command_words(service: Mapping[str, Any]) -> list[str]:
    command = service.get("command") or []
    return command.split() if isinstance(command, str) else [str(word) for word in command]


def healthcheck_text(service: Mapping[str, Any]) -> str:
    test = (service.get("healthcheck") or {}).get("test") or []
    return test if isinstance(test, str) else " ".join(test)


def volume_mount(mount: str | Mapping[str, Any]) -> tuple[str, str]:
    """(source, target) of a service volume in either Compose form."""
    if isinstance(mount, str):
        source, _, rest = mount.partition(":")
        return source, rest.split(":")[0]
    return str(mount.get("source", "")), str(mount.get("target", ""))


def schema_errors(validator: jsonschema.Draft7Validator, document: Compose) -> list[str]:
    return sorted(
        f"/{'/'.join(str(part) for part in error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(document)
    )


# --- The interpolation helper itself ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "environ", "expected"),
    [
        ("${A:-fallback}", {}, "fallback"),
        ("${A:-fallback}", {"A": ""}, "fallback"),
        ("${A-fallback}", {"A": ""}, ""),
        ("${A:-fallback}", {"A": "set"}, "set"),
        ("neo4j/${A:-local-password}", {}, "neo4j/local-password"),
        ("$${HOSTNAME} $$A", {"HOSTNAME": "ignored"}, "${HOSTNAME} $A"),
        ("x-$A-${B}", {"A": "1", "B": "2"}, "x-1-2"),
    ],
)
def test_interpolate_follows_compose_rules(
    value: str, environ: dict[str, str], expected: str
) -> None:
    assert interpolate(value, environ) == expected


@pytest.mark.parametrize("value", ["cost: 5$", "${A:-${B}}", "${1A}"])
def test_interpolate_rejects_what_compose_rejects(value: str) -> None:
    with pytest.raises(ValueError, match="interpolation"):
        interpolate(value, {})


def test_interpolate_reports_required_variables() -> None:
    with pytest.raises(ValueError, match="required variable A"):
        interpolate("${A:?set A}", {})


# --- (a) The official Compose Specification ---------------------------------------------------


def test_vendored_schema_is_the_compose_specification(schema: dict[str, Any]) -> None:
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["title"] == "Compose Specification"
    assert {"service", "healthcheck", "volume"} <= set(schema["definitions"])
    assert schema["properties"]["services"]["additionalProperties"] is False


def test_compose_file_is_valid_against_the_compose_specification(
    raw_compose: Compose, validator: jsonschema.Draft7Validator
) -> None:
    errors = schema_errors(validator, raw_compose)
    assert not errors, "docker-compose.yml breaks the Compose Specification:\n" + "\n".join(errors)


def test_every_interpolation_in_the_compose_file_is_well_formed(raw_compose: Compose) -> None:
    problems = []
    for text in strings_in(raw_compose):
        try:
            interpolate(text, REQUIRED_SECRETS)
        except ValueError as error:
            problems.append(str(error))
    assert not problems, "\n".join(problems)


def _unknown_top_level_key(document: Compose) -> None:
    document["servces"] = document["services"]


def _bogus_depends_on_condition(document: Compose) -> None:
    services_of(document)["web"]["depends_on"]["neo4j"]["condition"] = "service_ready"


def _misspelt_service_key(document: Compose) -> None:
    web = services_of(document)["web"]
    web["helthcheck"] = web.pop("healthcheck")


def _healthcheck_interval_as_number(document: Compose) -> None:
    services_of(document)["neo4j"]["healthcheck"]["interval"] = 10


def _depends_on_without_condition(document: Compose) -> None:
    services_of(document)["worker"]["depends_on"]["redis"] = {}


@pytest.mark.parametrize(
    "break_it",
    [
        _unknown_top_level_key,
        _bogus_depends_on_condition,
        _misspelt_service_key,
        _healthcheck_interval_as_number,
        _depends_on_without_condition,
    ],
)
def test_schema_rejects_a_broken_compose_file(
    raw_compose: Compose,
    validator: jsonschema.Draft7Validator,
    break_it: Callable[[Compose], None],
) -> None:
    broken = copy.deepcopy(raw_compose)
    break_it(broken)
    assert schema_errors(validator, broken), f"{break_it.__name__} was accepted by the schema"


# --- (b) The services -------------------------------------------------------------------------


def test_expected_services_exist(compose: Compose) -> None:
    missing = EXPECTED_SERVICES - set(services_of(compose))
    assert not missing, f"docker-compose.yml lacks services: {sorted(missing)}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_are_built_from_the_platform_dockerfile(compose: Compose, name: str) -> None:
    build = services_of(compose)[name].get("build")
    assert isinstance(build, dict), f"{name} must be built from {DOCKERFILE}"
    assert build.get("context") == "."
    assert build.get("dockerfile") == DOCKERFILE
    assert (ROOT / DOCKERFILE).is_file()


def test_dockerfile_runs_production_settings_as_a_non_root_user() -> None:
    lines = [
        line.strip()
        for line in (ROOT / DOCKERFILE).read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    text = "\n".join(lines)
    assert re.search(r"^FROM python:3\.11-slim(\s|$)", text, re.MULTILINE), "base: python:3.11-slim"
    assert "requirements/base.txt" in text
    assert "DJANGO_SETTINGS_MODULE=sociograph.settings.production" in text
    users = [line.split(maxsplit=1)[1] for line in lines if line.startswith("USER ")]
    assert users, "the image must switch to a non-root USER"
    assert users[-1] not in {"root", "0", "0:0"}


def test_web_prepares_the_schemas_then_serves_with_gunicorn(compose: Compose) -> None:
    text = " ".join(command_words(services_of(compose)["web"]))
    positions = [text.find(word) for word in ("migrate", "graph_schema", "gunicorn")]
    assert -1 not in positions, f"web must run migrate, graph_schema and gunicorn: {text!r}"
    assert positions == sorted(positions), "migrate, then graph_schema, then gunicorn"
    assert "sociograph.wsgi:application" in text
    assert "0.0.0.0:8000" in text


def test_web_healthcheck_calls_the_health_endpoint_with_python(compose: Compose) -> None:
    text = healthcheck_text(services_of(compose)["web"])
    assert "/health/" in text
    assert "urllib" in text
    assert "curl" not in text, "python:3.11-slim has no curl"


def worker_queues(compose: Compose, name: str) -> set[str]:
    words = command_words(services_of(compose)[name])
    assert words[:4] == ["celery", "-A", "sociograph", "worker"], words
    return {
        queue
        for flag, value in itertools.pairwise(words)
        if flag in {"-Q", "--queues"}
        for queue in value.split(",")
    }


def test_the_workers_consume_every_queue_and_webhooks_alone(compose: Compose) -> None:
    main, hooks = worker_queues(compose, "worker"), worker_queues(compose, "worker-webhooks")
    assert main | hooks == CELERY_QUEUES
    assert hooks == {"webhooks"}, "a slow receiver must not hold up mining or the relay"
    assert "webhooks" not in main


def test_beat_runs_celery_beat_once(compose: Compose) -> None:
    beat = services_of(compose)["beat"]
    assert command_words(beat)[:4] == ["celery", "-A", "sociograph", "beat"]
    replicas = beat.get("scale", (beat.get("deploy") or {}).get("replicas", 1))
    assert int(replicas) == 1, "two beats would schedule every periodic task twice"


def test_flower_watches_the_compose_broker(compose: Compose) -> None:
    flower = services_of(compose)["flower"]
    words = command_words(flower) + [v for v in environment_of(flower).values() if v]
    brokers = [word for word in words if "redis://" in word]
    assert brokers, "flower needs the broker URL"
    assert all(urlsplit(w.split("=", 1)[-1]).hostname == "redis" for w in brokers), brokers


# --- (c) Start-up order: only healthy dependencies --------------------------------------------


def test_every_dependency_waits_for_a_healthy_service(compose: Compose) -> None:
    services = services_of(compose)
    problems = []
    for name, service in services.items():
        depends_on = service.get("depends_on") or {}
        if isinstance(depends_on, list):
            problems.append(f"{name}: list-form depends_on only waits for 'service_started'")
            continue
        for dependency, options in depends_on.items():
            if dependency not in services:
                problems.append(f"{name}: depends on unknown service {dependency}")
            if (options or {}).get("condition") != "service_healthy":
                problems.append(f"{name} -> {dependency}: condition is not service_healthy")
    assert not problems, "\n".join(problems)


def test_every_service_depended_on_has_a_healthcheck(compose: Compose) -> None:
    services = services_of(compose)
    depended_on = {
        dependency
        for service in services.values()
        for dependency in (service.get("depends_on") or {})
    }
    assert depended_on, "nothing depends on anything: the start-up order is not declared"
    problems = []
    for name in sorted(depended_on):
        healthcheck = services.get(name, {}).get("healthcheck") or {}
        test = healthcheck.get("test")
        if not test or healthcheck.get("disable") in (True, "true"):
            problems.append(f"{name}: no healthcheck")
        elif isinstance(test, list) and test[0] == "NONE":
            problems.append(f"{name}: healthcheck disabled with NONE")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("name", "backends"),
    [
        ("web", {"postgres", "neo4j", "redis"}),
        ("worker", {"postgres", "neo4j", "redis"}),
        ("worker-webhooks", {"postgres", "neo4j", "redis"}),
        ("beat", {"redis"}),
        ("flower", {"redis"}),
    ],
)
def test_processes_wait_for_their_backing_services(
    compose: Compose, name: str, backends: set[str]
) -> None:
    depends_on = set(services_of(compose)[name].get("depends_on") or {})
    assert backends <= depends_on, f"{name} must wait for {sorted(backends - depends_on)}"


def test_depends_on_graph_has_no_cycle_and_the_worker_never_waits_for_web(
    compose: Compose,
) -> None:
    # web is healthy only once a Celery worker answers a ping (/health/), so a worker waiting for
    # a healthy web would never start.
    services = services_of(compose)

    def dependencies(name: str, path: tuple[str, ...]) -> set[str]:
        assert name not in path, f"depends_on cycle: {' -> '.join((*path, name))}"
        found: set[str] = set()
        for dependency in services[name].get("depends_on") or {}:
            found |= {dependency, *dependencies(dependency, (*path, name))}
        return found

    closure = {name: dependencies(name, ()) for name in services}
    assert "web" not in closure["worker"]
    assert "web" not in closure["worker-webhooks"]


# --- (d) Environment variables of web, worker and beat ----------------------------------------


def test_env_var_table_is_loaded(env_var_names: frozenset[str]) -> None:
    assert set(SERVICE_LOCATION_VARIABLES) <= env_var_names


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_environment_uses_only_declared_variables(
    raw_compose: Compose, env_var_names: frozenset[str], name: str
) -> None:
    service = services_of(raw_compose)[name]
    assert "env_file" not in service, (
        f"{name}: declare variables in `environment` so they are checked"
    )
    undeclared = set(environment_of(service)) - env_var_names - EXTRA_APP_VARIABLES
    assert not undeclared, (
        f"{name} sets {sorted(undeclared)}, which the settings never read "
        "(declare them in sociograph/settings/environment.py or drop them)"
    )


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_environment_sets_every_service_location(compose: Compose, name: str) -> None:
    environment = environment_of(services_of(compose)[name])
    missing = [var for var in SERVICE_LOCATION_VARIABLES if not environment.get(var)]
    assert not missing, f"{name} does not set {missing}"


def test_app_services_share_one_environment(raw_compose: Compose) -> None:
    services = services_of(raw_compose)
    web = environment_of(services["web"])
    for name in APP_SERVICES[1:]:
        assert environment_of(services[name]) == web, f"{name} and web see different settings"


def test_service_locations_point_at_the_compose_services(compose: Compose) -> None:
    services = services_of(compose)
    app = environment_of(services["web"])

    database = urlsplit(str(app["DATABASE_URL"]))
    postgres = environment_of(services["postgres"])
    assert database.scheme in {"postgres", "postgresql"}
    assert (database.hostname, database.port) == ("postgres", 5432)
    assert database.username == postgres["POSTGRES_USER"]
    assert database.password == postgres["POSTGRES_PASSWORD"]
    assert database.path.lstrip("/") == postgres["POSTGRES_DB"]

    neo4j_uri = urlsplit(str(app["NEO4J_URI"]))
    assert neo4j_uri.scheme in {"bolt", "neo4j"}
    assert (neo4j_uri.hostname, neo4j_uri.port) == ("neo4j", 7687)
    auth = str(environment_of(services["neo4j"])["NEO4J_AUTH"])
    assert auth == f"{app['NEO4J_USER']}/{app['NEO4J_PASSWORD']}", "app and Neo4j disagree on login"

    for variable in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        if app.get(variable):
            url = urlsplit(str(app[variable]))
            assert (url.scheme, url.hostname) == ("redis", "redis"), f"{variable}={app[variable]}"


def test_secrets_come_only_from_interpolation(raw_compose: Compose) -> None:
    interpolation = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-?][^}]*)?\}")
    problems = []
    for name, service in services_of(raw_compose).items():
        for variable, value in environment_of(service).items():
            if value is None:
                continue
            if SECRET_NAME.search(variable):
                literal = interpolation.sub("", value)
                if literal not in {"", "neo4j/"} or literal == value:
                    problems.append(f"{name}.{variable}: secret is not a ${{VAR...}}")
            password = urlsplit(value).password if "://" in value else None
            if password is not None and not interpolation.fullmatch(password):
                problems.append(f"{name}.{variable}: URL password is not a ${{VAR...}}")
    assert not problems, "\n".join(problems)


def test_no_secret_has_a_default(raw_compose: Compose) -> None:
    """A default secret is a published one: every secret is required, or optional and empty."""
    with_default = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*):?-(?P<default>[^}]*)\}")
    problems = [
        f"{match['name']} defaults to {match['default']!r}"
        for text in strings_in(raw_compose)
        for match in with_default.finditer(text)
        if SECRET_NAME.search(match["name"]) and match["default"]
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("secret", sorted(REQUIRED_SECRETS))
def test_compose_refuses_to_start_without_each_secret(raw_compose: Compose, secret: str) -> None:
    for missing in ({}, {secret: ""}):
        environ = {**{k: v for k, v in REQUIRED_SECRETS.items() if k != secret}, **missing}
        with pytest.raises(ValueError, match=f"required variable {secret} is not set"):
            interpolate_tree(raw_compose, environ)


def test_required_variables_are_the_secrets(raw_compose: Compose) -> None:
    required = {
        match[1]
        for text in strings_in(raw_compose)
        for match in re.finditer(r"\$\{([A-Za-z_][A-Za-z0-9_]*):\?", text)
    }
    assert required == set(REQUIRED_SECRETS)


def env_example() -> dict[str, str]:
    """The KEY=VALUE lines of .env.example (comments and blank lines left out)."""
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    pairs = (line.partition("=") for line in lines if line.strip() and not line.startswith("#"))
    return {key.strip(): value.strip() for key, _, value in pairs}


def test_env_example_names_every_required_secret_and_holds_no_value() -> None:
    example = env_example()
    assert set(REQUIRED_SECRETS) <= set(example), "each required secret needs a line to fill in"
    filled = {key: value for key, value in example.items() if SECRET_NAME.search(key) and value}
    assert not filled, f".env.example must not ship secrets: {sorted(filled)}"


def test_env_files_stay_out_of_git_and_the_image() -> None:
    for ignore_file in (".gitignore", ".dockerignore"):
        lines = (ROOT / ignore_file).read_text(encoding="utf-8").splitlines()
        assert ".env" in lines, f"{ignore_file} must list .env"


def test_the_image_is_not_built_with_a_fixed_secret_key() -> None:
    text = (ROOT / DOCKERFILE).read_text(encoding="utf-8")
    fixed = re.findall(r"DJANGO_SECRET_KEY=(?![\"']?\$\()\S+", text)
    assert not fixed, f"the Dockerfile sets a fixed key: {fixed}"


def test_deployment_doc_lists_every_variable(env_var_names: frozenset[str]) -> None:
    text = DEPLOYMENT_DOC.read_text(encoding="utf-8")
    missing = sorted(name for name in env_var_names if f"`{name}`" not in text)
    assert not missing, f"docs/deployment.md does not document {missing}"


# --- (e) Neo4j --------------------------------------------------------------------------------


def test_neo4j_is_5_26_community(compose: Compose) -> None:
    image = services_of(compose)["neo4j"].get("image", "")
    assert re.fullmatch(r"neo4j:5\.26(\.\d+)?-community", image), image


def test_neo4j_auth_is_user_slash_password(raw_compose: Compose, compose: Compose) -> None:
    raw = str(environment_of(services_of(raw_compose)["neo4j"])["NEO4J_AUTH"])
    assert raw.startswith("neo4j/"), "NEO4J_AUTH must have the form neo4j/<password>"
    password = str(environment_of(services_of(compose)["neo4j"])["NEO4J_AUTH"]).split("/", 1)[1]
    assert len(password) >= 8, "Neo4j 5 refuses passwords shorter than 8 characters"
    assert password != "neo4j", "Neo4j refuses its default password"


def test_neo4j_healthcheck_runs_cypher(compose: Compose) -> None:
    text = healthcheck_text(services_of(compose)["neo4j"])
    assert "cypher-shell" in text
    assert re.search(r"\bRETURN\b", text), "the healthcheck should run a Cypher query"


def test_neo4j_data_lives_in_a_named_volume(compose: Compose) -> None:
    named = set(compose.get("volumes") or {})
    sources = {
        source
        for source, target in map(volume_mount, services_of(compose)["neo4j"].get("volumes") or [])
        if target == "/data"
    }
    assert sources, "neo4j must mount a volume at /data"
    assert sources <= named, f"/data must be a named volume, not {sorted(sources - named)}"


# --- Redis and PostgreSQL ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "image", "probe"),
    [
        ("redis", r"redis:7([.-].*)?", "redis-cli ping"),
        ("postgres", r"postgres:16([.-].*)?", "pg_isready"),
    ],
)
def test_backing_service_image_and_healthcheck(
    compose: Compose, name: str, image: str, probe: str
) -> None:
    service = services_of(compose)[name]
    assert re.fullmatch(image, service.get("image", "")), service.get("image")
    assert probe in healthcheck_text(service)
