"""Names a user types (a mitigation, a check, a standard, a format) checked against the known
ones: an unknown name exits 2 with the closest known names and the list to choose from."""

from __future__ import annotations

import difflib
from collections.abc import Collection

import typer

from vaultward.cli.output import PlainConsole

err = PlainConsole(stderr=True)
LISTED = 12  # more valid names than this: the closest only, and where to see them all


def suggestion(value: str, valid: Collection[str]) -> str:
    """ "; did you mean 'access'?" for the closest known names, "" when none is close."""
    by_lower = {name.lower(): name for name in sorted(valid)}  # `a4` is close to `A4`
    close = difflib.get_close_matches(value.lower(), by_lower, n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(repr(by_lower[name]) for name in close)}?" if close else ""


def unknown_name_message(what: str, value: str, valid: Collection[str], see: str = "") -> str:
    lines = [f"unknown {what} {value!r}{suggestion(value, valid)}"]
    if len(valid) <= LISTED:
        lines.append(f"expected one of: {', '.join(valid)}")
    elif see:
        lines.append(f"`{see}` lists them")
    return "\n".join(lines)


def known_or_exit(what: str, value: str | None, valid: Collection[str], see: str = "") -> None:
    """Exit 2 naming the closest known names when `value` (if given) is not in `valid`."""
    if value is None or value in valid:
        return
    err.print(unknown_name_message(what, value, valid, see), soft_wrap=True)
    raise typer.Exit(2)
