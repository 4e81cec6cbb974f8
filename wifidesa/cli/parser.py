"""argparse, made to fail in one line: `wifidesa sites add: error: ... (see --help)`."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from wifidesa.errors import InvalidInput
from wifidesa.units import parse_duration, parse_size
from wifidesa.vouchers.codes import parse_use_by

USAGE_ERROR = 2


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(USAGE_ERROR)


def _typed(fn: object, name: str) -> object:
    def convert(text: str) -> object:
        try:
            return fn(text)  # type: ignore[operator]
        except InvalidInput as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = name
    return convert


size_arg = _typed(parse_size, "size")
duration_arg = _typed(parse_duration, "duration")
date_arg = _typed(parse_use_by, "date")


def add_subcommands(parser: argparse.ArgumentParser, dest: str) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    subparsers = parser.add_subparsers(dest=dest, metavar="COMMAND", parser_class=Parser)
    subparsers.required = True
    return subparsers


def subcommands_of(
    subparsers: argparse._SubParsersAction,  # type: ignore[type-arg]
    command: str,
) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    """The subcommands of a command the core registered (`routers`), so that an edge can add
    its own (`routers poll`, from controllers/) without the core importing the edge."""
    parser = subparsers.choices[command]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise LookupError(f"{command} has no subcommands")
