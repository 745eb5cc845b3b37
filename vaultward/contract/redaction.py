"""Keeps credential values out of logs, error texts, the store and reports.

Known secret values (from the environment variables the configuration names, AWS's own
variables, the database password) are replaced wherever they appear; common credential
shapes (`Authorization` headers, AWS secret keys, URL passwords) are masked too.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

MASK = "[redacted]"
# Environment variables that always hold secrets when set.
ALWAYS_SECRET = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "VAULTWARD_DASHBOARD_PASSWORD")
PATTERNS = (
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
    re.compile(r"(?i)(authorization\s*[:=]\s*)(\S+\s+)?[^\s'\",]+"),
    re.compile(r"(?i)\b(SSWS|Bearer)\s+[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(
        r"(?i)(aws_secret_access_key|secret_access_key|SecretAccessKey|SessionToken)"
        r"(['\"]?\s*[:=]\s*['\"]?)[A-Za-z0-9/+=]{16,}"
    ),
    # a URL's password, unless already masked ("***", as SQLAlchemy shows URLs)
    re.compile(r"(?i)((?:postgres(?:ql)?(?:\+\w+)?|mysql|rediss?|amqps?)://[^:/\s]+:)(?!\*\*\*@)[^@\s]+(@)"),
)


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret containing another is masked whole. Very short values
        # ("1", "true") would mask ordinary words: only values of 6+ characters count.
        known = set(_with_url_paths(secrets))
        self.secrets = sorted({s for s in known if s and len(s) >= 6}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        for pattern in PATTERNS:
            text = pattern.sub(_mask_match, text)
        return text


def _with_url_paths(secrets: Iterable[str]) -> Iterator[str]:
    """Each secret, and the path of a secret URL (a Slack webhook's token is its path, which
    an error answer may quote without the host)."""
    for secret in secrets:
        yield secret
        if secret.startswith(("http://", "https://")):
            parts = urlsplit(secret)
            yield parts.path + (f"?{parts.query}" if parts.query else "")
            yield parts.path


def _mask_match(match: re.Match[str]) -> str:
    groups = match.groups()
    if match.re is PATTERNS[0]:
        return MASK
    if match.re is PATTERNS[1]:
        return f"{groups[0]}{MASK}"
    if match.re is PATTERNS[2]:
        return f"{groups[0]} {MASK}"
    if match.re is PATTERNS[3]:
        return f"{groups[0]}{groups[1]}{MASK}"
    return f"{groups[0]}{MASK}{groups[1]}"


def secrets_from_environment(variable_names: Iterable[str] = ()) -> list[str]:
    names = set(variable_names) | set(ALWAYS_SECRET)
    values = [os.environ[name] for name in names if os.environ.get(name)]
    for url_variable in ("VAULTWARD_DATABASE_URL", "VAULTWARD_BROKER_URL"):
        match = re.search(r"://[^:/\s]+:([^@\s]+)@", os.environ.get(url_variable, ""))
        if match:
            values.append(match.group(1))
    return values


_active = Redactor()


def configure(variable_names: Iterable[str] = ()) -> Redactor:
    """Collect the secret values to mask (call once the configuration is loaded)."""
    global _active
    _active = Redactor(secrets_from_environment(variable_names))
    return _active


def redact(text: str) -> str:
    return _active(text)


class RedactingFilter(logging.Filter):
    """Masks secrets in every log record's final message (arguments included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(formatted)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True
