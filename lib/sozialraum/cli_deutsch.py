"""click in German: help headings, usage errors and parameter types without click's English.

click writes "Usage:", "Options:", "Error: No such option" and "Try '… --help' for help." in
English. The analysts who run ``sozialraum`` read German only, so the console command uses the
classes here: every text click would print is composed here from the exception's attributes,
never from click's English message.
"""

from __future__ import annotations

import errno
import sys
from pathlib import Path
from typing import Any

import click

HILFE = "Diese Hilfe zeigen und beenden."
VERSION_HILFE = "Die Version zeigen und beenden."
VERSION_TEXT = "%(prog)s, Version %(version)s"
OPTIONEN = "[OPTIONEN]"


class Fehler(click.ClickException):
    """A German message for the user, printed as it is (click would put "Error:" before it)."""

    def show(self, file: Any = None) -> None:
        """Print the message alone to stderr."""
        click.echo(self.format_message(), err=True)


class AufrufFehler(click.UsageError):
    """A usage error raised by a command itself: its message is German already."""


class GanzeZahl(click.ParamType):
    """A whole number with a lower bound; the failure says in German what was given."""

    name = "ZAHL"

    def __init__(self, minimum: int) -> None:
        self.minimum = minimum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """Parse ``value``; a text or a number below the bound fails with a German sentence."""
        if isinstance(value, int):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                self.fail(f'"{value}" ist keine ganze Zahl', param, ctx)
        if number < self.minimum:
            self.fail(f'"{value}" ist kleiner als {self.minimum}', param, ctx)
        return number


class Auswahl(click.Choice):
    """click's Choice with a German failure naming what is allowed."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Accept one of the choices; anything else fails with the list of choices."""
        if value in self.choices:
            return value
        erlaubt = ", ".join(f'"{c}"' for c in self.choices)
        self.fail(f'"{value}" ist nicht erlaubt (erlaubt: {erlaubt})', param, ctx)


class Ordner(click.Path):
    """A folder path; an existing file there fails in German (click: "… is a file")."""

    def __init__(self) -> None:
        super().__init__(file_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The path as given; a file where a folder is expected is a German failure."""
        if Path(str(value)).is_file():
            self.fail(f'"{value}" ist eine Datei, kein Ordner', param, ctx)
        return super().convert(value, param, ctx)


def _name(param: click.Parameter | None) -> str:
    if param is None:
        return "einen Wert"
    if isinstance(param, click.Argument):
        return (param.metavar or param.name or "").upper()
    return "/".join(param.opts)


def aufruf_fehler(exc: click.UsageError) -> str:
    """The German line for one of click's usage errors (composed from its attributes)."""
    if isinstance(exc, click.NoSuchOption):
        text = f'Unbekannte Option "{exc.option_name}".'
        if exc.possibilities:
            text += " Meinten Sie " + " oder ".join(f'"{p}"' for p in exc.possibilities) + "?"
        return text
    if isinstance(exc, click.BadOptionUsage):
        if "does not take a value" in exc.message:
            return f'Die Option "{exc.option_name}" nimmt keinen Wert.'
        return f'Die Option "{exc.option_name}" braucht einen Wert.'
    if isinstance(exc, click.MissingParameter):
        if isinstance(exc.param, click.Argument):
            return f"Es fehlt das Argument {_name(exc.param)}."
        return f'Die Option "{_name(exc.param)}" fehlt.'
    if isinstance(exc, click.NoSuchCommand):
        ctx = exc.ctx
        befehle = ", ".join(ctx.command.list_commands(ctx)) if ctx else ""  # type: ignore[attr-defined]
        text = f'Unbekannter Befehl "{exc.command_name}". Befehle: {befehle}.'
        if exc.possibilities:
            text += " Meinten Sie " + " oder ".join(f'"{p}"' for p in exc.possibilities) + "?"
        return text
    if isinstance(exc, click.BadParameter):
        if exc.param is not None and isinstance(exc.param.type, GanzeZahl | Auswahl | Ordner):
            return f"Ungültiger Wert für {_name(exc.param)}: {exc.message}."
        return f"Ungültiger Wert für {_name(exc.param)}."
    if exc.message.startswith("Got unexpected extra argument"):
        extra = exc.message.partition("(")[2].rstrip(")")
        return f"Unerwartete weitere Angabe: {extra}."
    if exc.message == "Missing command.":
        return "Es fehlt der Befehl."
    if isinstance(exc, AufrufFehler):
        return exc.message
    return "Der Aufruf ist so nicht gültig."  # a usage error of click's not named above


class _Deutsch:
    """German help and usage for a click command or group (mixed in before click's class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONEN)
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """The ``--help`` option of click with a German help text."""
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HILFE
        return option

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The usage line, headed "Aufruf:"."""
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="Aufruf: ")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The options, headed "Optionen:"; a group adds its commands, headed "Befehle:"."""
        rows = [
            rv
            for p in self.get_params(ctx)  # type: ignore[attr-defined]
            if not isinstance(p, click.Argument) and (rv := p.get_help_record(ctx)) is not None
        ]
        if rows:
            with formatter.section("Optionen"):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands with their first help sentence, headed "Befehle:"."""
        rows = []
        for name in self.list_commands(ctx):  # type: ignore[attr-defined]
            cmd = self.get_command(ctx, name)  # type: ignore[attr-defined]
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("Befehle"):
                formatter.write_dl(rows)


class Befehl(_Deutsch, click.Command):
    """A ``sozialraum`` sub-command with German help."""


class Gruppe(_Deutsch, click.Group):
    """The ``sozialraum`` group: German help, and every usage error as one German line.

    ``main`` runs click without its standalone handling and prints what click would have
    printed, in German: the usage line, the error, and where the help is.
    """

    command_class = Befehl

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "BEFEHL [ARGUMENTE]...")
        super().__init__(*args, **kwargs)

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command; usage errors and messages are printed in German (exit code 2/1)."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx else "", err=True)
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            if exc.ctx is not None:
                click.echo(exc.ctx.get_usage(), err=True)
            click.echo(aufruf_fehler(exc), err=True)
            pfad = exc.ctx.command_path if exc.ctx is not None else prog_name or "sozialraum"
            click.echo(f"Hilfe: {pfad} --help", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(exc.format_message(), err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Abgebrochen.", err=True)
            sys.exit(1)
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)
