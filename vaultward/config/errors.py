"""Configuration errors as the operator reads them: `<file>: <key>: <what is wrong> (got <value>)`.
Values are shown shortened, with control and invisible characters escaped, and never when
they may hold a password (a database or broker URL)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

SHOWN_LENGTH = 60  # characters of an offending value shown
KEY_LENGTH = 60  # characters of a key shown (keys are names the file chose)
LINE_LENGTH = 500  # the longest line an error prints
# Keys whose values may carry a password: never shown. Nor are those of keys naming a
# variable (`*_env`): a value that is no variable name may be the secret pasted in.
SECRET_KEYS = frozenset({"database_url", "broker_url"})
URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]*@")


class ConfigError(Exception):
    """The configuration cannot be used; the message says where and why."""


def escaped(text: str) -> str:
    """`text` with every non-printable character (controls, bidi marks, line separators) as a
    `\\u` escape, so it cannot move or hide what the terminal shows."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def shortened(text: str, limit: int) -> str:
    """At most `limit` characters of `text` (escaped), saying how long it was when cut."""
    if len(text) <= limit:
        return escaped(text)
    return f"{escaped(text[:limit])}... ({len(text):,} characters)"


def shown(value: Any) -> str:
    """An offending value as an error shows it: repr-like, shortened, URL passwords masked."""
    if isinstance(value, str):
        value = URL_USERINFO.sub(r"\1***@", value)
        text = repr(value)
        if len(text) <= SHOWN_LENGTH + 2:
            return text
        cut = value[:SHOWN_LENGTH]
        while len(repr(cut)) > SHOWN_LENGTH + 2:  # escapes take several characters each
            cut = cut[:-1]
        return repr(cut) + f"... ({len(value):,} characters)"
    return shortened(repr(value), SHOWN_LENGTH)


def _location(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts[-1:] = [f"{parts[-1]}[{part}]"] if parts else [f"[{part}]"]
        elif part in ("function-after", "function-before") or str(part).startswith("function-"):
            continue
        elif part == "[key]":
            parts[-1:] = [f"{parts[-1]} (the key)"] if parts else ["(a key)"]
        else:
            parts.append(shortened(str(part), KEY_LENGTH))
    return ".".join(parts) or "(top level)"


def format_validation_error(error: ValidationError, where: str, prefix: str = "") -> str:
    lines = []
    for problem in error.errors():
        key = _location(problem["loc"])
        if prefix:
            key = prefix if key == "(top level)" else f"{prefix}.{key}"
        if problem["type"] == "extra_forbidden":
            message = "unknown key (check its spelling and the example configuration)"
        else:
            message = problem["msg"].removeprefix("Value error, ")
            message = URL_USERINFO.sub(r"\1***@", message)
            secret = any(str(part) in SECRET_KEYS or str(part).endswith("_env") for part in problem["loc"])
            if "input" in problem and problem["type"] != "missing" and not isinstance(problem["input"], dict):
                message += (
                    " (value not shown: it may be a secret)"
                    if secret
                    else f" (got {shown(problem['input'])})"
                )
        lines.append(shortened(f"{where}: {key}: {message}", LINE_LENGTH))
    return "\n".join(lines)
