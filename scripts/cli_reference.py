"""Write docs/cli.md from the command line's own help texts.

Run `uv run python scripts/cli_reference.py` after changing crm_desktop/cli.py;
tests/test_docs.py fails while docs/cli.md and the parser disagree.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

INTRO = """# Command line

`crm-desktop` with no command opens the program. Each command does one job
headless and exits with 0 on success and 1 when it could not; an error a user
can cause is one sentence on stderr, never a traceback (details go to the log
file in your user log folder). A mistyped command line (an unknown option, a
value not among the choices) prints the usage and exits with 2.

The database is the one named by `--database URL`, else by the environment
variable `CRM_DATABASE_URL`, else the SQLite file `crm.db` in your user data
folder (`~/.local/share/crm-desktop/` on Linux). URLs look like
`sqlite:////absolute/path/crm.db` or `postgresql://user@host:5432/dbname`.
Several commands and programs may write to one SQLite file at once: each
waits up to 60 seconds for another's write (a big import) to finish before it
gives up with "database is locked".

Commands that act as a user (`import`, `export`) log in as `--user` with the
password in `CRM_PASSWORD`, else they ask for it; they can do what that
user's role allows. The program itself takes `--user` the same way and then
skips its login dialog; `--screenshot` needs it (or `--demo`), as no one is
there to type a password. `init` takes the new administrator's password the same way.

Examples:

```sh
uv run crm-desktop --demo                                  # open the demo
uv run crm-desktop demo --database sqlite:////tmp/big.db --contacts 1000000
CRM_PASSWORD='a long password' uv run crm-desktop init --database sqlite:////tmp/crm.db --admin ada
CRM_PASSWORD='a long password' uv run crm-desktop import contacts.csv \\
    --database sqlite:////tmp/crm.db --user ada --region GB --json
CRM_PASSWORD='a long password' uv run crm-desktop export contacts --format json \\
    -o contacts.json --database sqlite:////tmp/crm.db --user ada
```

## Import mapping files

`--mapping FILE.json` holds one JSON object from a source column (its header
text) to a target; columns it does not name are mapped automatically. Targets:

| target | meaning |
|---|---|
| `given_name`, `family_name`, `display_name`, `prefix`, `middle_name`, `suffix`, `nickname`, `organization`, `department`, `job_title`, `notes`, `birthday`, `anniversary`, `groups` | a contact field of the interchange format (docs/interchange.md) |
| `email` or `email:LABEL` | an email address, with a label such as `work` |
| `phone` or `phone:LABEL` | a phone number |
| `address:LABEL:PART` | part of an address: PART is `street`, `city`, `region`, `postcode` or `country` |
| `url` or `url:LABEL` | a web address |
| `custom:NAME:TYPE` | a custom field, TYPE `text`, `number` or `date`; created when missing |
| `ignore` | leave the column out |

For example `{"Client depuis": "custom:customer_since:date", "CA 2024 (€)":
"custom:revenue_2024:number"}`.

## Import results

`import` writes every valid record in one transaction, and only when the
whole file could be read: a file it cannot read, a `--region` that is not a
two-letter country code known for phone numbers (such as `ZZ` or `GBR`), or a
failure while writing changes nothing. A record is rejected, and the others
still imported, when it holds nothing that identifies a contact, when a value
is longer than its column holds (for example a family name over 120
characters, a company over 300, a phone over 64), or when it opens a quote
that is never closed; the lines after such a quote are read as records of
their own. Lines are the file's physical lines, the header being line 1.

The report is a line of totals, then one line per rejected record and per
warning (a value left out or changed), each naming its line and, for a
value, its column:

```text
contacts.csv: Created 2 contacts, 1 rejected, 0 empty records skipped, 1 warning.
  rejected: Line 3: family_name: use at most 120 characters (301 given); it was not imported.
  warning: Line 4, column 'Birthday': '1990-13-45' is not a real date in the year-month-day form it is written in; the field was left empty.
```

With `--json` it prints one JSON object instead:

| key | value |
|---|---|
| `file` | the file's name |
| `dry_run` | `true` when `--dry-run` was given: the counts say what would have been written, and nothing was |
| `created` | how many contacts were (or would be) created |
| `updated` | how many existing contacts were changed; always 0, as the import only adds contacts |
| `skipped_empty` | how many records with no values were skipped |
| `rejected` | a list of `{"line": N, "reason": TEXT}`, one per record not imported |
| `warnings` | a list of `{"line": N, "field": COLUMN, "message": TEXT}`; `field` is the column's header, or `null` when the warning is about the whole record |

## Reference
"""


def help_text(args: list[str]) -> str:
    from crm_desktop.cli import build_parser

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.suppress(SystemExit):
        build_parser().parse_args([*args, "--help"])
    return buffer.getvalue()


def reference() -> str:
    os.environ["COLUMNS"] = "88"
    parts = [INTRO]
    for command in ([], ["init"], ["demo"], ["import"], ["export"]):
        title = " ".join(["crm-desktop", *command])
        parts.append(f"### `{title}`\n\n```text\n{help_text(command)}```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    target = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
    target.write_text(reference(), encoding="utf-8")
    sys.exit(0)
