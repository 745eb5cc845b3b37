"""The root group of the command line. Global options go anywhere on the line:
`vaultward status --verbose` means what `vaultward --verbose status` means (click reads a
group's options before its command only, so they are moved there before parsing). Help
texts are plain text: rich would read `[retention]` or `[report].formats` as markup and
drop them, so every help text is escaped once, when the tree of commands is built."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from typer.core import TyperGroup

FLAGS = frozenset({"--verbose", "-v"})
WITH_VALUE = frozenset({"--config", "-c", "--data-dir"})


# Typer carries its own copy of click: its classes are told apart by what they have.
def takes_value(command: Any, arg: str) -> bool:
    """Whether `arg` is an option of `command` whose value is the next arg."""
    for param in command.params:
        if param.param_type_name == "option" and arg in (*param.opts, *param.secondary_opts):
            return not param.is_flag and not param.count
    return False


def hoist(group: Any, ctx: Any, args: list[str]) -> list[str]:
    """`args` with the global options found after the command path moved in front of it. The
    values of the command's own options, arguments and whatever follows `--` stay put."""
    hoisted: list[str] = []
    kept: list[str] = []
    command = group
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            kept.extend(args[index:])
            break
        name, _, inline = arg.partition("=")
        if command is not group and (arg in FLAGS or (inline and name in WITH_VALUE)):
            hoisted.append(arg)
        elif command is not group and arg in WITH_VALUE and index + 1 < len(args):
            hoisted.extend(args[index : index + 2])
            index += 1
        elif takes_value(command, arg) and index + 1 < len(args):
            kept.extend(args[index : index + 2])
            index += 1
        else:
            kept.append(arg)
            if hasattr(command, "get_command") and not arg.startswith("-"):
                command = command.get_command(ctx, arg) or command
        index += 1
    return hoisted + kept


def escape_help(command: Any) -> None:
    """Escape the help of `command`, its parameters and its subcommands, for rich markup."""
    for owner in (command, *command.params):
        for attribute in ("help", "short_help", "epilog"):
            if isinstance(getattr(owner, attribute, None), str):
                setattr(owner, attribute, escape(getattr(owner, attribute)))
    for subcommand in getattr(command, "commands", {}).values():
        escape_help(subcommand)


class GlobalOptionsGroup(TyperGroup):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        escape_help(self)

    def parse_args(self, ctx: Any, args: list[str]) -> Any:
        return super().parse_args(ctx, hoist(self, ctx, args))
