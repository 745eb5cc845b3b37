"""How a command ends when something outside it fails: a store that is gone, locked or
refusing exits 3, anything else unexpected exits 1, each with one line on stderr (the store
named with its password masked, what to do) and the traceback only with --verbose. The
root group (`vaultward.cli.app`) sends every exception a command lets out here, so a new
command gets this without a try of its own."""

from __future__ import annotations

import sqlite3
import sys
import traceback

from rich.console import Console
from sqlalchemy import exc

from vaultward.contract import redaction

OK = 0
FAILED = 1  # every source failed, a delivery failed, or an unexpected error
USAGE = 2  # the configuration or the command line is wrong
STORE_UNAVAILABLE = 3  # the store is missing, unreachable, locked or refusing

EXIT_CODES = "\n".join(
    (
        "Exit codes:",
        "0  done",
        "1  every source failed, a delivery failed, or an unexpected error",
        "2  configuration or usage error",
        "3  the store is missing, unreachable, locked or refusing",
    )
)

# SQLite's words for a file it cannot use right now (a missing table is not one of them).
SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o", "readonly", "disk is full")
# ... and for a file that is not a SQLite database at all, or a damaged one.
SQLITE_NOT_A_STORE = ("file is not a database", "malformed")


def store_error(error: BaseException) -> BaseException | None:
    """The driver's error that says the store cannot be used (gone, locked, refusing), found
    in `error` or what caused it; None when the store is not the problem."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        found = _unavailable(current)
        if found is not None:
            return found
        current = current.__cause__ or current.__context__
    return None


def _unavailable(error: BaseException) -> BaseException | None:
    if isinstance(error, exc.DBAPIError):
        orig = error.orig if isinstance(error.orig, BaseException) else error
        inner = _unavailable(orig) if orig is not error else None
        if inner is not None:
            return inner
        if error.connection_invalidated or isinstance(error, exc.InterfaceError):
            return orig
        if isinstance(error, exc.OperationalError) and not isinstance(orig, sqlite3.Error):
            return orig if _postgresql_unavailable(orig) else None
        return None
    if isinstance(error, exc.DisconnectionError | exc.TimeoutError):
        return error
    if isinstance(error, sqlite3.OperationalError):
        return error if any(word in str(error).lower() for word in SQLITE_UNAVAILABLE) else None
    if isinstance(error, sqlite3.DatabaseError):
        return error if any(words in str(error).lower() for words in SQLITE_NOT_A_STORE) else None
    psycopg = sys.modules.get("psycopg")  # imported when the store is PostgreSQL
    if psycopg is not None:
        refusing = (psycopg.OperationalError, psycopg.InterfaceError, psycopg.errors.InsufficientPrivilege)
        if isinstance(error, refusing) and _postgresql_unavailable(error):
            return error
    return None


# SQLSTATE classes of a PostgreSQL that cannot be used: connection exception, operator
# intervention (shut down, starting), insufficient resources (too many connections),
# authorisation, no such database; and no privilege. A deadlock (40P01), a serialisation
# failure (40001) or a statement timeout (57014) is not the store being away.
UNAVAILABLE_SQLSTATES = ("08", "57P", "53", "28", "3D", "42501")


def _postgresql_unavailable(error: BaseException) -> bool:
    """No SQLSTATE (the server never answered) or one of UNAVAILABLE_SQLSTATES."""
    state = getattr(error, "sqlstate", None)
    return state is None or str(state).startswith(UNAVAILABLE_SQLSTATES)


def first_line(error: BaseException, url: str | None) -> str:
    """`Type: message`, its first line, redacted and without the store's password."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {masked(lines[0].strip(), url)}" if lines else type(error).__name__


def masked(text: str, url: str | None) -> str:
    """`text` redacted, the store URL's password masked wherever it appears."""
    password = _password(url)
    if password:
        text = text.replace(password, "***")
    return redaction.redact(text)


def _password(url: str | None) -> str | None:
    if not url:
        return None
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).password
    except Exception:  # not a URL: nothing to mask in it
        return None


def store_message(error: BaseException, url: str | None, origin: str | None) -> str:
    """One line: which store, what is wrong with it, what to do."""
    from vaultward.store.db import redact_url

    store = f"the store {redact_url(url)}" if url else "the store"
    chosen = f" (chosen by {origin})" if origin else ""
    cause = store_error(error) or error
    what = first_line(cause, url)
    if isinstance(cause, sqlite3.Error) and "locked" in str(cause).lower():
        return (
            f"{store}{chosen} is locked ({what}): another process holds the SQLite file; "
            "wait for it to finish or stop it, then try again"
        )
    if isinstance(cause, sqlite3.DatabaseError) and any(w in str(cause).lower() for w in SQLITE_NOT_A_STORE):
        return (
            f"cannot use {store}{chosen}: {what}; the file there is not a SQLite database or is "
            "damaged (nothing was written to it): move it aside or point --data-dir elsewhere"
        )
    if isinstance(cause, sqlite3.Error | OSError) or (url or "").startswith("sqlite"):
        return f"cannot use {store}{chosen}: {what}; check the file and its folder exist and are writable"
    return (
        f"cannot use {store}{chosen}: {what}; is PostgreSQL running and accepting connections? "
        "Check the store's URL and the database user's rights"
    )


def show_traceback(console: Console, error: BaseException, url: str | None) -> None:
    """The traceback, redacted, for --verbose."""
    text = "".join(traceback.format_exception(error))
    console.print(masked(text, url).rstrip(), soft_wrap=True, markup=False)


def unexpected_message(error: BaseException, url: str | None) -> str:
    return f"unexpected error: {first_line(error, url)} (run with --verbose for the traceback)"
