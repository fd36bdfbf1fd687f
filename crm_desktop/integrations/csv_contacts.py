"""Reading contacts from CSV files: Google, Outlook and spreadsheet exports.

`read_contacts_csv` works on the file's bytes and needs no database:

- Encoding: UTF-8 with or without a byte-order mark (UTF-16 with one), else
  the guess of charset-normalizer, where Windows-1252 wins over ISO-8859-1
  and its look-alikes (byte 0x9C is 'œ', 0x80 is '€').
- Delimiter: ',', ';', tab or '|', counted outside quotes in the header and
  checked against the first records; an Excel 'sep=;' first line is obeyed.
- Layout: "google" (Google Contacts CSV), "outlook" (Outlook's Windows
  export) or "generic" (headers in English, French, German or Spanish,
  matched ignoring case, spaces, punctuation and accents).
- Mapping: `CsvOptions.mapping` maps source columns to targets and wins over
  the automatic mapping; columns it does not name are mapped automatically.
  Targets are a record field name (`given_name`, `family_name`,
  `display_name`, `prefix`, `middle_name`, `suffix`, `nickname`,
  `organization`, `department`, `job_title`, `notes`, `birthday`,
  `anniversary`, `groups`), `email[:LABEL]`, `phone[:LABEL]`, `url[:LABEL]`,
  `address:LABEL:PART` (PART: street, city, region, postcode, country;
  `address:PART` and `address.PART` mean label work), `custom:NAME:TYPE`
  (TYPE: text, number, date) and `ignore`. A value whose column gives no
  label is a work one.
- Values are trimmed and keep their inner line breaks as LF; a leading
  apostrophe that protects '=', '+', '-', '@' or a tab from spreadsheets is
  removed. Dates are read in one order for the whole file, worked out from
  all its dates unless `CsvOptions.date_order` says it.

Record lines are physical lines, the header being line 1: a record whose
quoted values span three lines moves the count on by three. A record that
opens a quote no later quote closes is rejected, and the lines it would have
swallowed up to the end of the file are read as records of their own.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import logging
import re
import unicodedata
from dataclasses import dataclass

import charset_normalizer

from crm_desktop.integrations.csv_layouts import (
    DATE_FIELDS,
    IGNORE,
    OUTLOOK_FILLERS,
    Target,
    automatic_target,
    detect_layout,
    fold_header,
    parse_target,
)
from crm_desktop.integrations.csv_records import (
    Column,
    RecordSettings,
    build_record,
)
from crm_desktop.integrations.csv_values import DateOrder, infer_date_order
from crm_desktop.integrations.records import ImportIssue, ParseResult
from crm_desktop.services.phones import check_region

logger = logging.getLogger(__name__)

_DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}
_SEP_LINE = re.compile(r"sep=(.)(?:\r\n|\n|\r)")
_SPREADSHEET_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_IDENTIFYING_FIELDS = frozenset(
    {"display_name", "given_name", "middle_name", "family_name", "nickname"}
    | {"organization"}
)
_GROUP_SEPARATORS = {
    "google": re.compile(r":::"),
    "outlook": re.compile(r";"),
    "generic": re.compile(r"[;,]"),
}
# Windows-1252 and the encodings it is mistaken for on short files.
_WESTERN = frozenset({"cp1252", "latin_1", "iso8859_15"})
_CHAOS_MARGIN = 0.01
# How coherent (0-1, language-like) another guess must be to beat a file that
# reads cleanly as Windows-1252, and only when it is in a non-Latin script.
_SURE_COHERENCE = 0.3
# The share of accented letters in the words that have any, above which text
# read as Windows-1252 is taken for another script misread.
_MAX_ACCENTED_SHARE = 0.6
_BINARY = (
    "The file is not CSV text: it holds binary data (is it a spreadsheet or "
    "another kind of file?)."
)
# NOTE: long notes overflow the csv module's default 128 KiB field limit.
_FIELD_LIMIT = 16 * 1024 * 1024


class CsvFormatError(ValueError):
    """A file that cannot be read as a CSV file of contacts at all."""


@dataclass(frozen=True, slots=True)
class CsvOptions:
    """How to read a contact CSV file.

    Attributes:
        default_region: Country (ISO 3166 alpha-2) for phone numbers without
            a country code when the record gives no country.
        date_order: How the file writes dates; None works it out.
        mapping: Source column → target (see the module docstring); columns
            it does not name are mapped automatically.
        encoding: The file's text encoding; None detects it.
        delimiter: The field delimiter; None detects it.
    """

    default_region: str = "GB"
    date_order: DateOrder | None = None
    mapping: dict[str, str] | None = None
    encoding: str | None = None
    delimiter: str | None = None


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    cells: list[str]
    # A quote opened in the record is never closed: its last value ran to the
    # end of the file.
    unclosed: bool = False


def read_contacts_csv(data: bytes, options: CsvOptions) -> ParseResult:
    """Read the contacts of a CSV file.

    Args:
        data: The file's bytes.
        options: How to read it.

    Returns:
        The contacts, the records rejected, warnings about values not
        imported or changed, and what was detected about the file.

    Raises:
        CsvFormatError: The file is binary, empty, has no records, has a
            header in which nothing is a name, email, phone or company or
            that opens a quote never closed, the mapping names a column or
            target that does not exist, or the default region is not a
            country code phonenumbers knows.
    """
    region = _default_region(options.default_region)
    text, encoding = _decode(data, options.encoding)
    delimiter, skip_first = _delimiter(text, options.delimiter)
    rows = _read_rows(text, delimiter)[1 if skip_first else 0 :]
    header, records = _header_and_records(rows)
    layout = detect_layout(header)
    columns = _columns(header, layout, options.mapping or {})
    settings = RecordSettings(
        default_region=region,
        date_order=options.date_order or _date_order(columns, records, region),
        multi_value=layout == "google",
        group_separator=_GROUP_SEPARATORS[layout],
    )

    result = ParseResult([], [], [], 0, encoding, delimiter, layout)
    if options.encoding is None and encoding not in _DECLARED:
        result.warnings.append(_guessed_encoding(encoding))
    explicit = _explicit_targets(header, options.mapping or {})
    result.warnings += _unmapped_columns(columns, records, explicit)
    fillers = _fillers(header) if layout == "outlook" else {}
    for row in records:
        _read_record(row, header, columns, settings, fillers, result)
    logger.debug(
        "Read %d contacts, %d rejected, %d warnings (%s, %s layout)",
        len(result.records), len(result.rejected), len(result.warnings),
        encoding, layout,
    )  # fmt: skip
    return result


def _read_record(
    row: _Row,
    header: list[str],
    columns: list[Column],
    settings: RecordSettings,
    fillers: dict[int, str],
    result: ParseResult,
) -> None:
    if row.unclosed:
        message = (
            f'Line {row.line}: the record opens a quote (") that is never '
            "closed, so it runs to the end of the file; it was not imported, "
            "and the lines after it were read as records of their own."
        )
        result.rejected.append(ImportIssue(row.line, None, message))
        return
    with_nul = next((i for i, cell in enumerate(row.cells) if "\x00" in cell), None)
    if with_nul is not None:
        name = header[with_nul] if with_nul < len(header) else f"#{with_nul + 1}"
        message = (
            f"Line {row.line}, column '{name}': the value holds a NUL character "
            "(a byte 0, a sign of a damaged file); the record was not imported."
        )
        result.rejected.append(ImportIssue(row.line, name, message))
        return
    cells = [_clean(cell) for cell in row.cells]
    for index, filler in fillers.items():
        if index < len(cells) and cells[index].casefold() == filler:
            cells[index] = ""
    if not any(cells):
        result.skipped_empty += 1
        return

    if any(cells[len(header) :]):
        message = (
            f"Line {row.line}: the record has {len(cells)} values but the header "
            f"has {len(header)} columns; the values past the last column were "
            "not imported."
        )
        result.warnings.append(ImportIssue(row.line, None, message))
    cells = (cells + [""] * len(header))[: len(header)]

    outcome = build_record(row.line, cells, columns, settings)
    result.warnings.extend(outcome.warnings)
    if outcome.record is not None:
        result.records.append(outcome.record)
    if outcome.rejection is not None:
        result.rejected.append(outcome.rejection)


def _clean(cell: str) -> str:
    value = cell.replace("\r\n", "\n").replace("\r", "\n").strip()
    # A spreadsheet-safe export writes '=1+1' as "'=1+1"; undo that.
    if value.startswith("'") and value[1:2] in _SPREADSHEET_TRIGGERS:
        return value[1:]
    return value


def _default_region(code: str) -> str:
    try:
        return check_region(code)
    except ValueError as exc:
        raise CsvFormatError(f"The default region {exc}.") from None


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    if encoding is not None:
        text, name = _decode_as(data, encoding), encoding
    elif data.startswith(codecs.BOM_UTF8):
        text, name = _decode_as(data, "utf-8-sig"), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, name = _decode_as(data, "utf-16"), "utf-16"
    elif data.count(b"\x00") > _max_controls(len(data)):
        raise CsvFormatError(_BINARY)
    else:
        name = _guess_encoding(data)
        text = _decode_as(data, name)

    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise CsvFormatError("The file is empty: it has no header and no records.")
    if _looks_binary(text):
        raise CsvFormatError(_BINARY)
    return text, name


def _decode_as(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except LookupError:
        raise CsvFormatError(f"'{encoding}' is not a known text encoding.") from None
    except UnicodeDecodeError as exc:
        raise CsvFormatError(
            f"The file cannot be read as {encoding}: byte {exc.start + 1} does "
            "not fit that encoding."
        ) from None


def _guess_encoding(data: bytes) -> str:
    if _decoded(data, "utf-8") is not None:
        return "utf-8"
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        raise CsvFormatError(_BINARY)

    # Short files give charset-normalizer little to go on, and it then often
    # prefers a Baltic or Central European code page: Windows-1252 wins when it
    # reads the file as cleanly as the best guess, and always over ISO-8859-1.
    western = _decoded(data, "cp1252")
    if western is not None and _reads_as_latin(western):
        other_script = _has_other_script(str(best))
        # Cyrillic or Greek read as Windows-1252 is Latin letters too, but
        # whole words of accented ones; Western words have a few accents.
        sure = other_script and (
            best.coherence >= _SURE_COHERENCE
            or _accented_share(western) > _MAX_ACCENTED_SHARE
        )
        if not sure:
            return "windows-1252"
    as_clean = any(
        "cp1252" in match.could_be_from_charset
        and match.chaos <= best.chaos + _CHAOS_MARGIN
        for match in matches
    )
    same_text = western == _decoded(data, best.encoding)
    if western is not None and (best.encoding in _WESTERN or as_clean or same_text):
        return "windows-1252"
    return best.encoding


# Encodings the file itself declares (valid UTF-8, byte-order marks).
_DECLARED = frozenset({"utf-8", "utf-8-sig", "utf-16"})


def _guessed_encoding(encoding: str) -> ImportIssue:
    return ImportIssue(
        0,
        None,
        f"The file is not UTF-8; it was read as {encoding}, a guess: check "
        "that accented letters came out right, or save it as UTF-8.",
    )


def _reads_as_latin(text: str) -> bool:
    """Whether every non-ASCII character is a Latin letter or punctuation."""
    return all(
        char.isascii() or _is_latin_letter(char) or _is_punctuation(char)
        for char in text
    )


def _has_other_script(text: str) -> bool:
    return any(
        char.isalpha() and not char.isascii() and not _is_latin_letter(char)
        for char in text
    )


def _accented_share(text: str) -> float:
    words = [w for w in re.findall(r"[^\W\d_]+", text) if not w.isascii()]
    letters = sum(len(word) for word in words)
    accented = sum(1 for word in words for char in word if not char.isascii())
    return accented / letters if letters else 0.0


def _is_latin_letter(char: str) -> bool:
    return char.isalpha() and unicodedata.name(char, "").startswith("LATIN")


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PSZ" or char == "\u00ad"


def _decoded(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _looks_binary(text: str) -> bool:
    controls = sum(
        1 for char in text if ord(char) < 32 and char not in "\t\n\r\f\v\x1a"
    )
    return controls > _max_controls(len(text))


def _max_controls(length: int) -> int:
    """How many control characters (NUL among them) text may hold by mistake."""
    return max(2, length // 200)


def _delimiter(text: str, chosen: str | None) -> tuple[str, bool]:
    sep_line = _SEP_LINE.match(text)
    if chosen is not None:
        delimiter = _DELIMITER_NAMES.get(chosen.casefold(), chosen)
        if len(delimiter) != 1:
            raise CsvFormatError(f"'{chosen}' is not a delimiter: give one character.")
        return delimiter, sep_line is not None
    if sep_line is not None:
        return sep_line[1], True
    return _detect_delimiter(text), False


def _detect_delimiter(text: str) -> str:
    header = _first_line(text)
    counts = {d: _count_outside_quotes(header, d) for d in _DELIMITERS}
    candidates = [d for d in _DELIMITERS if counts[d]]
    if len(candidates) < 2:
        return candidates[0] if candidates else ","
    return max(
        candidates,
        key=lambda d: (_consistency(text, d, counts[d] + 1), counts[d]),
    )


def _first_line(text: str) -> str:
    quoted = False
    for position, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            return text[:position]
    return text


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def _consistency(text: str, delimiter: str, width: int) -> float:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    widths = [len(row) for _, row in zip(range(21), reader, strict=False) if row]
    records = widths[1:]
    return sum(found == width for found in records) / len(records) if records else 0


def _read_rows(text: str, delimiter: str) -> list[_Row]:
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
    lines = list(io.StringIO(text, newline=""))
    rows: list[_Row] = []
    first = 0
    while first < len(lines):
        rows += _rows_from(lines, first, delimiter)
        if not rows or not rows[-1].unclosed:
            break
        # Read again from the line after the one that opened the quote.
        first = rows[-1].line
    return rows


def _rows_from(lines: list[str], first: int, delimiter: str) -> list[_Row]:
    """Read the records from line index `first` on, numbering lines from 1."""
    reader = csv.reader(itertools.islice(lines, first, None), delimiter=delimiter)
    rows: list[_Row] = []
    start = first + 1
    try:
        for cells in reader:
            rows.append(_Row(start, cells))
            start = first + reader.line_num + 1
    except csv.Error as exc:
        raise CsvFormatError(f"Line {start} cannot be read as CSV: {exc}.") from None
    if rows and _ends_in_quotes(lines, rows[-1].line - 1, delimiter):
        rows[-1] = _Row(rows[-1].line, rows[-1].cells, unclosed=True)
    return rows


def _ends_in_quotes(lines: list[str], first: int, delimiter: str) -> bool:
    """Tell whether the text from line index `first` ends inside quotes.

    The states follow the csv module's reader with its default dialect: a
    quote opens a value only at its start, and two quotes inside one are a
    quote character.
    """
    state = "start"
    for char in itertools.chain.from_iterable(itertools.islice(lines, first, None)):
        if state == "quoted":
            state = "quote" if char == '"' else "quoted"
        elif state == "quote" and char == '"':
            state = "quoted"
        elif char == delimiter or char in "\r\n":
            state = "start"
        elif state == "start" and char == '"':
            state = "quoted"
        else:
            state = "field"
    return state == "quoted"


def _header_and_records(rows: list[_Row]) -> tuple[list[str], list[_Row]]:
    filled = [index for index, row in enumerate(rows) if any(map(str.strip, row.cells))]
    if not filled:
        raise CsvFormatError("The file is empty: it has no header and no records.")
    first = rows[filled[0]]
    if first.unclosed:
        raise CsvFormatError(
            f'The header (line {first.line}) opens a quote (") that is never '
            "closed, so it runs to the end of the file."
        )
    header = [cell.strip() for cell in first.cells]
    if len(filled) == 1:
        raise CsvFormatError(
            "The file has no records: it holds only a header line "
            f"({', '.join(header)})."
        )
    return header, rows[filled[0] + 1 :]


def _columns(header: list[str], layout: str, mapping: dict[str, str]) -> list[Column]:
    explicit = _explicit_targets(header, mapping)
    columns = [
        Column(
            index, name, explicit.get(index) or automatic_target(layout, name) or IGNORE
        )
        for index, name in enumerate(header)
    ]
    if not any(_identifies(column) for column in columns):
        listed = ", ".join(f"'{name}'" for name in header)
        raise CsvFormatError(
            "The layout of this file is unknown: no column holds a name, an "
            f"email, a phone or a company. Its columns are {listed}. Say which "
            "column holds what with --mapping."
        )
    return columns


def _unmapped_columns(
    columns: list[Column], records: list[_Row], explicit: dict[int, Target]
) -> list[ImportIssue]:
    """One warning per column left out that holds values, unless mapped so."""
    warnings = []
    for column in columns:
        if column.target != IGNORE or column.index in explicit:
            continue
        if not any(_cell(row, column.index) for row in records):
            continue
        warnings.append(
            ImportIssue(
                0,
                column.header,
                f"Column '{column.header}' was left out: no contact field "
                "matches it. Map it with --mapping (to a custom field, say), "
                "or to 'ignore' to silence this warning.",
            )
        )
    return warnings


def _cell(row: _Row, index: int) -> bool:
    return index < len(row.cells) and bool(row.cells[index].strip())


def _explicit_targets(header: list[str], mapping: dict[str, str]) -> dict[int, Target]:
    targets: dict[int, Target] = {}
    for source, spec in mapping.items():
        indexes = _column_indexes(header, source)
        for index in indexes:
            try:
                targets[index] = parse_target(spec, slot=f"column{index}")
            except ValueError as exc:
                raise CsvFormatError(
                    f"The mapping of column '{source}' to '{spec}' cannot be "
                    f"used: {exc}."
                ) from None
    return targets


def _column_indexes(header: list[str], source: str) -> list[int]:
    exact = [index for index, name in enumerate(header) if name == source.strip()]
    if exact:
        return exact
    key = fold_header(source)
    folded = [index for index, name in enumerate(header) if fold_header(name) == key]
    if not folded:
        listed = ", ".join(f"'{name}'" for name in header)
        raise CsvFormatError(
            f"The mapping names the column '{source}', which the file does not "
            f"have. Its columns are {listed}."
        )
    return folded


def _identifies(column: Column) -> bool:
    target = column.target
    if target.kind in ("email", "phone"):
        return True
    return target.kind == "field" and target.name in _IDENTIFYING_FIELDS


def _fillers(header: list[str]) -> dict[int, str]:
    keys = [fold_header(name) for name in header]
    return {
        index: OUTLOOK_FILLERS[key]
        for index, key in enumerate(keys)
        if key in OUTLOOK_FILLERS
    }


def _date_order(columns: list[Column], records: list[_Row], region: str) -> DateOrder:
    indexes = [column.index for column in columns if _is_date(column.target)]
    values = (
        row.cells[index]
        for row in records
        if not row.unclosed
        for index in indexes
        if index < len(row.cells)
    )
    return infer_date_order(values, region)


def _is_date(target: Target) -> bool:
    if target.kind == "field":
        return target.name in DATE_FIELDS
    return target.kind == "event" or (
        target.kind == "custom" and target.custom_type == "date"
    )
