"""What Vaultward writes to a terminal: logs and the CLI's consoles, with secret values masked
and control characters escaped, so neither a credential nor a source's hostile text (ANSI or
OSC sequences, rich markup, bidi overrides) reaches a log or a terminal raw."""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from vaultward.config.settings import Settings
from vaultward.contract import redaction

# C0 controls but newline and tab, DEL, C1 controls (0x9b is an 8-bit CSI), zero-width
# characters and the bidirectional overrides that make a terminal show text reordered.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
NOISY = (
    "botocore",
    "boto3",
    "urllib3",
    "httpx",
    "httpcore",
    "werkzeug",
    "apscheduler.executors",
    "pika",  # a line per step of every broker connection
    "alembic.runtime",
    "weasyprint",  # a line per layout step of every PDF
    "fontTools",
)

WIDE = 120  # terminal columns from which listings are tables (below: a few lines per row, ids whole)


def escape_controls(text: str) -> str:
    """`text` with control characters written as escapes (`\\x1b`, `\\u202e`): an ANSI or OSC
    sequence from a source is shown, never acted on. Newlines and tabs are kept."""
    return CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


class EscapingFormatter(logging.Formatter):
    """The standard formatter, with control characters escaped in the final line (message,
    arguments and traceback alike). Without `tracebacks` (no --verbose), a logged exception
    is its type and first line, appended to the message."""

    def __init__(self, fmt: str, tracebacks: bool = True) -> None:
        super().__init__(fmt)
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info and record.exc_info[1] is not None and not self.tracebacks:
            error = record.exc_info[1]
            lines = str(error).strip().splitlines()
            summary = redaction.redact(": ".join([type(error).__name__, *lines[:1]]))
            record = logging.makeLogRecord(
                {**record.__dict__, "exc_info": None, "exc_text": None, "args": None,
                 "msg": f"{record.getMessage()}: {summary} (the traceback with --verbose)"}
            )  # fmt: skip
        return escape_controls(super().format(record))


class PlainConsole(Console):
    """A rich console for text that may come from sources (names, errors, messages): no
    markup, emoji codes or highlighting unless a call asks for markup, and every string it
    renders (table cells included) redacted and with control characters escaped."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**{"markup": False, "emoji": False, "highlight": False, **options})

    def render_str(self, text: str, **options: Any) -> Text:
        cleaned = escape_controls(redaction.redact(text))
        if options.get("markup") or (options.get("markup") is None and self._markup):
            cleaned = cleaned.replace(redaction.MASK, escape(redaction.MASK))  # not a tag
        return super().render_str(cleaned, **options)


def builtin_credential_variables(settings: Settings) -> list[str]:
    """The credential variables the configuration and the built-in collectors name, known
    before any plugin loads (a plugin's import error may quote one)."""
    from vaultward.pipeline.registry import builtin_collectors

    return settings.credential_variables(builtin_collectors())


class TerminalHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Vaultward's handler on the root logger: stderr, redacted, control characters escaped."""


def setup_logging(settings: Settings, verbose: bool) -> None:
    """Root logging to stderr through the redacting filter and the escaping formatter
    (tracebacks only when `verbose`). Calling it again replaces Vaultward's handler and
    leaves others (a test runner's) in place."""
    redaction.configure(builtin_credential_variables(settings))
    handler = TerminalHandler(sys.stderr)
    handler.setFormatter(EscapingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", verbose))
    handler.addFilter(redaction.RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if not isinstance(h, TerminalHandler)] + [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
