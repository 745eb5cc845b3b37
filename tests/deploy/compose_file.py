"""docker-compose.yml and the Dockerfile as the deploy tests read them: the compose file
parsed (YAML anchors and merge keys resolved), Compose's `${...}` interpolation, and the
final stage of the Dockerfile (its ENTRYPOINT, WORKDIR, HEALTHCHECK ...)."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"
SCHEMA = Path(__file__).resolve().parent / "compose-spec.json"

# Compose's interpolation (compose-spec 12-interpolation.md): $$, ${VAR}, ${VAR:-default},
# ${VAR-default}, ${VAR:?error}, ${VAR?error}, ${VAR:+replacement}, ${VAR+replacement}, $VAR.
REFERENCE = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)


class MissingVariable(Exception):
    """A `${VAR:?message}` whose variable is unset (or empty): compose refuses to start."""


def load_compose(path: Path = COMPOSE_FILE) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def references(value: str) -> list[tuple[str, str | None, str | None]]:
    """(name, operator, argument) of every variable `value` interpolates."""
    found = []
    for match in REFERENCE.finditer(value):
        if match.group(0) == "$$":
            continue
        found.append((match.group("name") or match.group("bare"), match.group("op"), match.group("arg")))
    return found


def interpolate(value: Any, env: Mapping[str, str]) -> Any:
    """`value` (a string, or lists and mappings of them) as compose interpolates it from `env`."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("name") or match.group("bare")
        op, arg = match.group("op"), match.group("arg") or ""
        current = env.get(name)
        present = current is not None and (current != "" or not (op or "").startswith(":"))
        if op in (":-", "-"):
            return current if present and current is not None else arg
        if op in (":?", "?"):
            if not present or current is None:
                raise MissingVariable(f"{name}: {arg}")
            return current
        if op in (":+", "+"):
            return arg if present else ""
        return current or ""

    return REFERENCE.sub(replace, value)


def image_services(compose: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The services that run the Vaultward image (those built from this repository)."""
    return {name: service for name, service in compose["services"].items() if "build" in service}


def volume_parts(entry: str) -> tuple[str, str, str]:
    """A short-syntax volume `source:target[:mode]` as (source, target, mode)."""
    source, target, *mode = entry.split(":")
    return source, target, mode[0] if mode else "rw"


@dataclass
class DockerfileStage:
    """One stage's instructions, continuation lines joined: (INSTRUCTION, arguments)."""

    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, name: str) -> list[str]:
        return [arguments for instruction, arguments in self.instructions if instruction == name]

    def last(self, name: str) -> str:
        values = self.all(name)
        assert values, f"the stage has no {name}"
        return values[-1]

    def exec_form(self, name: str) -> list[str]:
        """ENTRYPOINT / CMD in exec (JSON) form."""
        return json.loads(self.last(name))

    def env(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for arguments in self.all("ENV"):
            for pair in shlex.split(arguments):
                key, _, value = pair.partition("=")
                values[key] = value
        return values

    def healthcheck(self) -> tuple[dict[str, str], list[str]]:
        """HEALTHCHECK's options and its CMD (exec form)."""
        options_text, _, command = self.last("HEALTHCHECK").partition("CMD ")
        options = dict(option.lstrip("-").split("=", 1) for option in options_text.split())
        return options, json.loads(command)


def dockerfile_stages(path: Path = DOCKERFILE) -> list[DockerfileStage]:
    lines: list[str] = []
    pending = ""
    for raw in path.read_text().splitlines():
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        lines.append(pending + stripped)
        pending = ""
    stages: list[DockerfileStage] = []
    for line in lines:
        instruction, _, arguments = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            stages.append(DockerfileStage(arguments.split()[0]))
        elif stages:
            stages[-1].instructions.append((instruction, " ".join(arguments.split())))
    return stages


def env_file_values(path: Path) -> dict[str, str]:
    """KEY=value lines of an env file (comments and blank lines skipped)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value
    return values
