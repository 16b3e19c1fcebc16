"""The `apollo` command's one error boundary: it fails like a tool, not like a program.

A *known* error is one the user can act on: a bad option or input, a missing environment variable, a bad masking
key or policy, a name from the input that cannot be used, a broken backup, a file that cannot be read or written.
It is a `KnownError` (apollo_assets/errors.py: the platform's errors whose text is safe to show), one of click's or
an `OSError`. A known error is one line on stderr (`Error: ...`) and exit status 1. Anything else is a bug: one line
naming its type only (its text may quote data) and exit status 1. `--debug` (or APOLLO_DEBUG=1) lets either
propagate with its traceback.

Every command of the group is an `ApolloCommand`, so the boundary holds whether a command runs under `apollo` or
on its own (as the tests invoke them).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from apollo_assets.errors import KnownError

DEBUG_ENV = "APOLLO_DEBUG"
KNOWN_ERRORS = (click.ClickException, OSError, KnownError)


def one_line(text: str) -> str:
    return " ".join(text.split())


def error_text(error: BaseException) -> str:
    """What may be shown of `error`: a known error's message on one line; of any other, its type only."""
    if isinstance(error, click.UsageError) and error.ctx is not None:
        return f"{one_line(error.format_message())} (see '{error.ctx.command_path} --help')"
    if isinstance(error, click.ClickException):
        return one_line(error.format_message())
    if isinstance(error, KNOWN_ERRORS):
        return one_line(str(error)) or type(error).__name__
    return f"unexpected {type(error).__name__} (run again with --debug for its traceback)"


def debug_requested(args: Sequence[str]) -> bool:
    options = list(args)[: list(args).index("--")] if "--" in args else list(args)
    return "--debug" in options or os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes")


def _debug_option() -> click.Option:
    return click.Option(
        ["--debug"],
        is_flag=True,
        expose_value=False,
        is_eager=True,
        help=f"On an error, show its traceback (also: {DEBUG_ENV}=1).",
    )


class OneLineErrors:
    """`main` of a command or group run as a program: errors end as one line and exit status 1."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        base = super()  # type: ignore[misc]
        if not standalone_mode:
            return base.main(args, prog_name, complete_var, standalone_mode=False, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        debug = debug_requested(argv)
        try:
            status = base.main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except click.exceptions.NoArgsIsHelpError as help_shown:  # `apollo` alone: its help, as click shows it
            help_shown.show()
            sys.exit(help_shown.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except Exception as error:
            if debug:
                raise
            click.echo(f"Error: {error_text(error)}", err=True)
            sys.exit(1)
        sys.exit(status if isinstance(status, int) else 0)


class ApolloCommand(OneLineErrors, click.Command):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(_debug_option())


class ApolloGroup(OneLineErrors, click.Group):
    command_class = ApolloCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(_debug_option())


ApolloGroup.group_class = ApolloGroup
