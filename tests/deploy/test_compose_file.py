"""docker-compose.yml against the Compose Specification's JSON schema, and the promises the
deployment files make: secrets from .env only, the dashboard never served without a login,
healthchecks everywhere, the image built from the lock by the pinned uv, run as non-root."""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any

import jsonschema
import pytest

from tests.deploy.compose_file import (
    COMPOSE_FILE,
    ENV_EXAMPLE,
    ROOT,
    SCHEMA,
    MissingVariable,
    dockerfile_stages,
    env_file_values,
    image_services,
    interpolate,
    load_compose,
    references,
    volume_parts,
)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text())


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> jsonschema.Draft7Validator:
    # The schema says "$schema": "https://json-schema.org/draft-07/schema" (https, no '#'),
    # which jsonschema's validator_for does not recognise (it would warn and use the latest
    # draft): name Draft 7 ourselves.
    assert "draft-07" in schema["$schema"]
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def messages(validator: jsonschema.Draft7Validator, document: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def test_compose_file_is_valid_against_the_compose_spec_schema(validator):
    assert messages(validator, load_compose()) == []


def test_the_validator_rejects_what_the_spec_forbids_and_admits_x_extensions(validator):
    compose = load_compose()
    assert any(key.startswith("x-") for key in compose)  # the file's anchors live in x- keys
    assert messages(validator, {**compose, "x-anything": {"free": ["form"]}}) == []
    assert messages(validator, {**compose, "servces": {}}) != []  # top level: ^x- only
    dashboard = {**compose["services"]["dashboard"], "healthckeck": {}}
    assert messages(validator, {**compose, "services": {**compose["services"], "dashboard": dashboard}})
    ports = {**compose["services"]["dashboard"], "restart": ["always"]}
    assert messages(validator, {**compose, "services": {**compose["services"], "dashboard": ports}})


def compose_strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in [str(key), *compose_strings(item)]]
    if isinstance(value, list):
        return [s for item in value for s in compose_strings(item)]
    return [value] if isinstance(value, str) else []


def test_every_variable_has_a_default_or_stops_compose_with_a_message_and_is_in_env_example():
    compose = load_compose()
    example = ENV_EXAMPLE.read_text()
    used = {ref for text in compose_strings(compose) for ref in references(text)}
    assert used
    for name, op, argument in used:
        assert op in (":-", ":?"), f"${{{name}}}: give a default (:-) or a message (:?)"
        if op == ":?":
            assert argument and ".env" in argument, f"{name}: say where to set it"
        assert re.search(rf"^#? ?{name}=", example, re.MULTILINE), f"{name} is missing from .env.example"
    required = {name for name, op, _ in used if op == ":?"}
    assert {"POSTGRES_PASSWORD", "RABBITMQ_PASSWORD", "VAULTWARD_DASHBOARD_PASSWORD"} <= required
    # Without .env compose refuses to start, naming the variable.
    with pytest.raises(MissingVariable, match="POSTGRES_PASSWORD"):
        interpolate(compose["services"]["worker"]["environment"], {})
    # .env.example names every required variable, empty: an unedited copy refuses to start.
    example_values = env_file_values(ENV_EXAMPLE)
    assert required <= set(example_values)
    assert all(example_values[name] == "" for name in required)
    with pytest.raises(MissingVariable):
        interpolate(compose, example_values)
    interpolate(compose, {**example_values, **{name: "set-by-the-operator" for name in required}})


def test_secrets_come_from_env_only_and_never_enter_git_or_the_image():
    text = COMPOSE_FILE.read_text()
    for line in text.splitlines():
        if re.search(r"(PASSWORD|PASS|TOKEN|SECRET)\b[^:]*:", line) and not line.lstrip().startswith("#"):
            assert "${" in line, f"a literal secret? {line.strip()}"
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", ".env"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert ignored.returncode == 0, ".env must be gitignored"
    dockerignore = (ROOT / ".dockerignore").read_text().split()
    assert {
        ".env",
        ".env.*",
        "**/.env",
        "**/.streamlit/secrets.toml",
        "vaultward.toml",
        ".venv",
        ".git",
    } <= set(dockerignore)


def test_vaultward_services_share_config_secrets_store_and_wait_for_healthy_dependencies():
    compose = load_compose()
    services = image_services(compose)
    assert set(services) == {"migrate", "dashboard", "worker", "queue-worker"}
    for name, service in services.items():
        assert service["env_file"] == ".env", name
        env = service["environment"]
        volumes = {target: (source, mode) for source, target, mode in map(volume_parts, service["volumes"])}
        assert volumes[env["VAULTWARD_CONFIG"]] == ("./vaultward.toml", "ro"), name
        assert volumes["/var/lib/vaultward"][0] in compose["volumes"], name  # a named volume
        assert "@postgres:5432/" in env["VAULTWARD_DATABASE_URL"], name
        assert "@rabbitmq:5672/" in env["VAULTWARD_BROKER_URL"], name
        conditions = {dependency: spec["condition"] for dependency, spec in service["depends_on"].items()}
        assert conditions["postgres"] == "service_healthy", name
        if name != "migrate":
            assert conditions["migrate"] == "service_completed_successfully", name
            assert service["restart"] == "unless-stopped", name
            assert service["healthcheck"]["test"][0] == "CMD", name
    assert (
        services["migrate"]["command"] == ["db", "upgrade"] and services["migrate"]["restart"] == "on-failure"
    )
    for name in ("worker", "queue-worker"):
        assert services[name]["depends_on"]["rabbitmq"]["condition"] == "service_healthy"
        assert services[name]["command"] == [name]


def test_the_dashboard_is_served_beyond_loopback_only_with_a_login():
    dashboard = load_compose()["services"]["dashboard"]
    command = dashboard["command"]
    assert command[:1] == ["serve"] and command[command.index("--address") + 1] == "0.0.0.0"
    [(name, op, _)] = references(dashboard["environment"]["VAULTWARD_DASHBOARD_PASSWORD"])
    assert (name, op) == ("VAULTWARD_DASHBOARD_PASSWORD", ":?")
    # Published on the host's loopback unless .env says otherwise (a TLS proxy goes in front).
    [port] = dashboard["ports"]
    assert interpolate(port, {}) == "127.0.0.1:8501:8501"
    assert "/_stcore/health" in dashboard["healthcheck"]["test"][-1]


def test_postgres_and_rabbitmq_are_pinned_official_images_with_healthchecks_and_named_volumes():
    compose = load_compose()
    postgres, rabbitmq = compose["services"]["postgres"], compose["services"]["rabbitmq"]
    assert re.fullmatch(r"postgres:\d+", postgres["image"])
    assert re.fullmatch(r"rabbitmq:\d+\.\d+", rabbitmq["image"])
    assert "pg_isready" in postgres["healthcheck"]["test"][1]
    assert rabbitmq["healthcheck"]["test"] == ["CMD", "rabbitmq-diagnostics", "-q", "ping"]
    assert rabbitmq["hostname"] == "rabbitmq"  # the node name names its data directory
    for service, data in ((postgres, "/var/lib/postgresql/data"), (rabbitmq, "/var/lib/rabbitmq")):
        [(source, target, _)] = map(volume_parts, service["volumes"])
        assert target == data and source in compose["volumes"]


def dev_sh_uv_version() -> str:
    match = re.search(r"^UV_VERSION=(\S+)", (ROOT / "dev.sh").read_text(), re.MULTILINE)
    assert match
    return match.group(1)


def test_the_image_installs_the_lock_with_the_pinned_uv_and_runs_the_wheel_as_non_root():
    builder, final = dockerfile_stages()
    assert builder.base == final.base == "${PYTHON_IMAGE}"
    assert f"UV_VERSION={dev_sh_uv_version()}" in builder.all("ARG")
    syncs = [run for run in builder.all("RUN") if "uv sync" in run]
    assert len(syncs) == 2 and all("--locked" in run and "--no-dev" in run for run in syncs)
    assert all("--extra postgres --extra pdf" in run for run in syncs)
    assert "--no-install-project" in syncs[0] and "--no-editable" in syncs[1]
    # The final stage: the venv copied in, nothing that builds or installs Python packages.
    assert final.all("COPY") == ["--from=builder /opt/venv /opt/venv"]
    final_runs = " ".join(final.all("RUN"))
    assert not re.search(r"\b(uv|pip|gcc|build-essential|-dev)\b", final_runs)
    assert "--no-install-recommends" in final_runs and "libpango-1.0-0" in final_runs
    user = final.last("USER")
    assert user == "vaultward" and "--uid" in final_runs and "VAULTWARD_UID=10001" in final.all("ARG")
    assert final.exec_form("ENTRYPOINT") == ["vaultward"]
    assert final.exec_form("CMD") == ["serve", "--address", "0.0.0.0"]
    assert final.last("EXPOSE") == "8501"
    assert json.loads(final.last("VOLUME")) == [final.last("WORKDIR")] == ["/var/lib/vaultward"]
    _, health = final.healthcheck()
    compose_health = load_compose()["services"]["dashboard"]["healthcheck"]["test"]
    assert health == compose_health[1:]  # the same probe in the image and in compose
    assert final.env()["PATH"].startswith("/opt/venv/bin:")
