"""The `crm-desktop` command: the program, and its jobs done headless.

With no subcommand it opens the window. Each subcommand does one job on a
database and exits: create one, fill it with demo data, import or export
contacts. Errors a user can cause are printed as one sentence on stderr with
a non-zero exit code, never as a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
import zoneinfo
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from crm_desktop import paths
from crm_desktop.db.database import Database, open_database
from crm_desktop.db.engine import normalize_url
from crm_desktop.db.errors import DatabaseError
from crm_desktop.integrations.csv_contacts import (
    CsvFormatError,
    CsvOptions,
    read_contacts_csv,
)
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import (
    contact_import,
    interchange,
    phones,
    settings,
    setup,
    users,
)
from crm_desktop.services.errors import ServiceError
from crm_desktop.services.records import ImportIssue

logger = logging.getLogger(__name__)

EXIT_FAILED = 1
EXIT_USAGE = 2
DEMO_GUI_CONTACTS = 3000
# What an interrupted command that writes in one transaction has done.
_UNCHANGED = "the database was not changed"


class UserError(Exception):
    """A problem the person running the command can fix; shown as is."""


def _password(
    prompt: str, *, variable: str = "CRM_PASSWORD", confirm: bool = False
) -> str:
    password = os.environ.get(variable)
    if password is not None:
        return password
    if not sys.stdin.isatty():
        raise UserError(
            f"Set {variable} or run the command in a terminal to be "
            "asked for the password."
        )
    password = getpass.getpass(prompt)
    if confirm and getpass.getpass("Again: ") != password:
        raise UserError("The two passwords differ; nothing was changed.")
    return password


def _login(database: Database, username: str) -> CurrentUser:
    password = _password(f"Password for {username}: ")
    with database.write_session() as session:
        return users.authenticate(session, username, password)


def _database_url(args: argparse.Namespace) -> str:
    url = args.database or os.environ.get("CRM_DATABASE_URL")
    return url or paths.default_database_url()


def _cmd_init(args: argparse.Namespace) -> int:
    url = normalize_url(_database_url(args))
    password = _password(f"New password for {args.admin}: ", confirm=True)
    users.check_new_account(args.admin, password)
    new_file = _new_sqlite_file(url)
    try:
        database = open_database(url)
        try:
            _create_admin(database, args.admin, password, args.full_name)
        finally:
            database.dispose()
    except BaseException:
        if new_file is not None:
            _remove_sqlite_file(new_file)
        raise
    print(f"Created {database.description} with administrator {args.admin}.")
    return 0


def _create_admin(
    database: Database, admin: str, password: str, full_name: str
) -> None:
    with database.write_session() as session:
        if users.has_users(session):
            raise UserError(
                f"{database.description} already has users; nothing was changed."
            )
        setup.initialize(session, admin, password, full_name=full_name)


def _new_sqlite_file(url: URL) -> Path | None:
    """The SQLite file `init` is about to create, or None when it exists."""
    name = url.database
    if url.get_backend_name() != "sqlite" or not name or name == ":memory:":
        return None
    if name.startswith("file:"):
        return None
    path = Path(name).expanduser()
    return None if path.exists() else path


def _remove_sqlite_file(path: Path) -> None:
    """Remove a database file this command made, with its journal files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _cmd_demo(args: argparse.Namespace) -> int:
    from crm_desktop.services.demo import DemoGenerator

    if args.contacts < 0:
        raise UserError("--contacts must be zero or more.")
    database = open_database(_database_url(args))
    generator = DemoGenerator(database, seed=args.seed)

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{done:,} of {total:,} contacts", end="", file=sys.stderr)

    try:
        summary = generator.generate(args.contacts, progress=progress)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(
        f"Filled {database.description}: {summary.contacts:,} contacts, "
        f"{summary.companies:,} companies, {summary.deals:,} deals, "
        f"{summary.activities:,} activities in {summary.seconds:.1f} s "
        f"({summary.contacts_per_second:,.0f} contacts/s). "
        f"Log in as 'demo' with the password 'demo-password'."
    )
    return 0


def _load_mapping(path: Path | None) -> dict[str, str] | None:
    if path is None:
        return None
    try:
        mapping = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(
            f"Cannot read the mapping file {path}: {exc.strerror}."
        ) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"The mapping file {path} is not valid JSON: {exc}.") from exc
    valid = isinstance(mapping, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    )
    if not valid:
        raise UserError(
            f"The mapping file {path} must hold one JSON object from "
            "source column to target, both text."
        )
    return cast(dict[str, str], mapping)


def _read_input(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise UserError(f"There is no file {path}.") from exc
    except IsADirectoryError as exc:
        raise UserError(f"{path} is a folder, not a file.") from exc
    except OSError as exc:
        raise UserError(f"Cannot read {path}: {exc.strerror}.") from exc


def _cmd_import(args: argparse.Namespace) -> int:
    if args.timezone:
        try:
            zoneinfo.ZoneInfo(args.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise UserError(
                f"'{args.timezone}' is not a time zone name (try Europe/London)."
            ) from exc
    if args.region is not None:
        try:
            phones.check_region(args.region)
        except ValueError as exc:
            raise UserError(f"--region {exc}.") from exc
    if args.file.suffix.lower() not in (".csv", ".txt", ".tsv"):
        raise UserError(
            f"{args.file.name}: crm-desktop imports contacts from CSV "
            "files (.csv, .txt, .tsv)."
        )
    data = _read_input(args.file)
    mapping = _load_mapping(args.mapping)
    database = open_database(_database_url(args), create=False)
    user = _login(database, args.user)
    with database.session() as session:
        region = (args.region or settings.load(session).default_region).upper()
    options = CsvOptions(
        default_region=region, date_order=args.date_order, mapping=mapping
    )
    try:
        parsed = read_contacts_csv(data, options)
    except CsvFormatError as exc:
        raise UserError(f"{args.file.name}: {exc}") from exc
    with database.write_session() as session:
        summary = contact_import.write_contacts(
            session,
            user,
            parsed,
            file_name=args.file.name,
            region=region,
            dry_run=args.dry_run,
        )
    if args.json:
        print(json.dumps(summary.as_json(), ensure_ascii=False, indent=2))
    else:
        _print_import(summary, dry_run=args.dry_run)
    return 0


def _print_import(summary: contact_import.ImportSummary, *, dry_run: bool) -> None:
    verb = "Would create" if dry_run else "Created"
    print(
        f"{summary.file}: {verb} {_counted(summary.created, 'contact')}, "
        f"{len(summary.rejected)} rejected, "
        f"{_counted(summary.skipped_empty, 'empty record')} skipped, "
        f"{_counted(len(summary.warnings), 'warning')}."
    )
    for issue in summary.rejected:
        print(f"  rejected: {_issue_text(issue)}")
    for issue in summary.warnings:
        print(f"  warning: {_issue_text(issue)}")


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _issue_text(issue: ImportIssue) -> str:
    # The readers' messages name their line (and column) already; line 0
    # is the file as a whole.
    if issue.line == 0 or issue.message.startswith(f"Line {issue.line}"):
        return issue.message
    return f"Line {issue.line}: {issue.message}"


def _cmd_export(args: argparse.Namespace) -> int:
    database = open_database(_database_url(args), create=False)
    user = _login(database, args.user)
    with database.session() as session:
        document = interchange.export_document(session, user)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if str(args.output) == "-":
        sys.stdout.write(text)
        return 0
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"Cannot write {args.output}: {exc.strerror}.") from exc
    print(f"Exported {len(document['contacts'])} contacts to {args.output}.")
    return 0


def _cmd_gui(args: argparse.Namespace) -> int:
    from crm_desktop.app import run_gui
    from crm_desktop.ui.palette import ColorScheme

    if args.screenshot:
        _check_screenshot_folder(Path(args.screenshot))
    user = None
    if args.demo:
        database = open_database(args.database or paths.demo_database_url())
        user = _demo_login(database)
    else:
        if args.screenshot and not args.user:
            # Offscreen, a login dialog would wait for ever for a person.
            raise UserError(
                "--screenshot needs --demo, or --user NAME with the "
                "password in CRM_PASSWORD."
            )
        database = open_database(_database_url(args))
        if args.user:
            user = _login(database, args.user)
    screenshot = Path(args.screenshot) if args.screenshot else None
    return run_gui(
        database,
        user=user,
        view=args.view,
        screenshot=screenshot,
        color_scheme=ColorScheme(args.color_scheme),
    )


def _check_screenshot_folder(path: Path) -> None:
    folder = path.expanduser().absolute().parent
    if not folder.is_dir():
        raise UserError(
            f"Cannot write the screenshot {path}: the folder {folder} does "
            "not exist; create it first or choose another path."
        )


def _demo_login(database: Database) -> CurrentUser:
    from crm_desktop.services import demo

    with database.session() as session:
        fresh = not users.has_users(session)
        is_demo = demo.DEMO_ADMIN in users.list_usernames(session)
    if not fresh and not is_demo:
        raise UserError(
            f"{database.description} is not a demo database; --demo "
            "fills only an empty one. Leave out --database to use "
            "the demo file."
        )
    if fresh:
        print("Filling the demo database…", file=sys.stderr)
        demo.DemoGenerator(database).generate(DEMO_GUI_CONTACTS)
    with database.session() as session:
        return users.authenticate(session, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)


VIEWS = ("contacts", "companies", "deals", "activities", "board", "tasks", "trash")

COLOR_SCHEMES = ("system", "light", "dark")


def build_parser() -> argparse.ArgumentParser:
    """Return the parser for every subcommand (docs/cli.md lists them)."""
    parser = argparse.ArgumentParser(
        prog="crm-desktop",
        description="A desktop CRM for small businesses. With no command it "
        "opens the program.",
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help="sqlite:///path/to/file.db or "
        "postgresql://user@host/dbname (default: CRM_DATABASE_URL, "
        "else a file in your data folder)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open a demo database filled with sample data, "
        "logged in as its administrator",
    )
    parser.add_argument(
        "--view",
        choices=VIEWS,
        help=(
            "the view to open; board is the pipeline board, tasks your agenda, "
            "trash what was deleted"
        ),
    )
    parser.add_argument(
        "--screenshot",
        metavar="FILE.png",
        help="save a picture of the window once the view's data is shown, then exit",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="log in as this user without the login dialog (password from "
        "CRM_PASSWORD, else a prompt)",
    )
    parser.add_argument(
        "--color-scheme",
        choices=COLOR_SCHEMES,
        default="system",
        help="draw light or dark; system (the default) follows the desktop",
    )
    parser.add_argument("--verbose", action="store_true", help="log debug detail")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_init(commands)
    _add_demo(commands)
    _add_import(commands)
    _add_export(commands)
    return parser


def _database_option(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS keeps a --database given before the command from being reset.
    parser.add_argument(
        "--database",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="the database (default: CRM_DATABASE_URL, else the "
        "file in your data folder)",
    )


def _add_init(commands: Any) -> None:
    parser = commands.add_parser(
        "init",
        help="create a database and its administrator",
        description="Create a database (or set up an empty one) with its first "
        "administrator. The password comes from CRM_PASSWORD, else a prompt.",
    )
    _database_option(parser)
    parser.add_argument(
        "--admin", required=True, metavar="NAME", help="the administrator's user name"
    )
    parser.add_argument("--full-name", default="", help="the administrator's name")
    parser.set_defaults(handler=_cmd_init)


def _add_demo(commands: Any) -> None:
    parser = commands.add_parser(
        "demo",
        help="fill an empty database with demo data",
        description="Fill an empty database with deterministic, realistic demo "
        "data: users, companies, contacts, deals and activities.",
    )
    _database_option(parser)
    parser.add_argument(
        "--contacts",
        type=int,
        default=DEMO_GUI_CONTACTS,
        metavar="N",
        help=f"how many contacts (default "
        f"{DEMO_GUI_CONTACTS}); companies are a tenth (at least 20), deals a "
        "fifth, activities twice as many",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=1,
        metavar="N",
        help="the same seed gives the same data (default 1)",
    )
    parser.set_defaults(handler=_cmd_demo)


def _add_import(commands: Any) -> None:
    parser = commands.add_parser(
        "import",
        help="import contacts from a CSV file",
        description="Import contacts from a CSV file (Google Contacts, Outlook or "
        "a table with headers). Valid records are written in one transaction; "
        "rejected ones are listed with their line number. The user's password "
        "comes from CRM_PASSWORD, else a prompt.",
    )
    parser.add_argument("file", type=Path, metavar="FILE")
    _database_option(parser)
    parser.add_argument("--user", required=True, metavar="NAME")
    parser.add_argument(
        "--region",
        metavar="CC",
        help="country for phone numbers written without one (default: the business's)",
    )
    parser.add_argument(
        "--timezone",
        metavar="TZ",
        help="time zone for times in the file (e.g. Europe/Paris)",
    )
    parser.add_argument(
        "--date-order",
        choices=("DMY", "MDY", "YMD"),
        help="how the file writes dates (default: worked out)",
    )
    parser.add_argument(
        "--mapping",
        type=Path,
        metavar="FILE.json",
        help="JSON object from source column to target field",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="check everything, write nothing"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the result as one JSON object"
    )
    parser.set_defaults(handler=_cmd_import, interrupted=_UNCHANGED)


def _add_export(commands: Any) -> None:
    parser = commands.add_parser(
        "export",
        help="export records",
        description="Export records in the JSON interchange format "
        "(docs/interchange.md).",
    )
    parser.add_argument("kind", choices=("contacts",))
    parser.add_argument("--format", choices=("json",), default="json")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="FILE",
        help="where to write ('-' for stdout)",
    )
    _database_option(parser)
    parser.add_argument("--user", required=True, metavar="NAME")
    parser.set_defaults(handler=_cmd_export, interrupted=_UNCHANGED)


def _command_parser(
    parser: argparse.ArgumentParser, command: str | None
) -> argparse.ArgumentParser:
    """The parser of one command, or the top-level one for no command."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command:
            return cast(argparse.ArgumentParser, action.choices[command])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        # The top-level parser would print its own usage; the command's
        # usage tells the user which options that command takes.
        _command_parser(parser, args.command).error(
            f"unrecognized arguments: {' '.join(unknown)}"
        )
    from crm_desktop.logs import setup_logging

    setup_logging(verbose=args.verbose)
    handler: Callable[[argparse.Namespace], int] = getattr(args, "handler", _cmd_gui)
    try:
        return handler(args)
    except (UserError, ServiceError, DatabaseError) as exc:
        print(f"crm-desktop: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except DBAPIError as exc:
        logger.exception("database error")
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        print(
            f"crm-desktop: the database reported an error ({reason}); "
            "the command's changes were rolled back.",
            file=sys.stderr,
        )
        return EXIT_FAILED
    except OSError as exc:
        logger.exception("system error")
        print(
            f"crm-desktop: {exc}; the command's changes were rolled back.",
            file=sys.stderr,
        )
        return EXIT_FAILED
    except KeyboardInterrupt:
        outcome = getattr(args, "interrupted", "nothing more was changed")
        print(f"crm-desktop: interrupted; {outcome}.", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
