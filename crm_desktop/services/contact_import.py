"""Writing imported contacts: all valid records in one transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import companies, contacts, phones, records_common
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.records import ImportIssue, ParseResult

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class ImportSummary:
    """What an import did (or, on a dry run, would do)."""

    file: str
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    skipped_empty: int = 0
    rejected: list[ImportIssue] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)
    contact_ids: list[int] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "skipped_empty": self.skipped_empty,
            "rejected": [{"line": r.line, "reason": r.message} for r in self.rejected],
            "warnings": [
                {"line": w.line, "field": w.field, "message": w.message}
                for w in self.warnings
            ],
        }


def write_contacts(
    session: Session,
    user: CurrentUser,
    parsed: ParseResult,
    *,
    file_name: str,
    region: str,
    dry_run: bool = False,
) -> ImportSummary:
    """Write every valid record of a parsed file, then commit (or roll back).

    A record the contacts service refuses (a bad value, text longer than its
    column holds) is reported as rejected with its line; the others are
    written together. A dry run rolls everything back.

    Args:
        region: Country for phone numbers written without one.

    Raises:
        PermissionDeniedError: the user may not write.
        ValidationError: `region` is not a country code phonenumbers knows;
            nothing was written.
    """
    records_common.require_write(user)
    try:
        region = phones.check_region(region)
    except ValueError as exc:
        raise ValidationError(f"Import of {file_name}", "region", str(exc)) from exc
    summary = ImportSummary(
        file=file_name,
        dry_run=dry_run,
        skipped_empty=parsed.skipped_empty,
        rejected=list(parsed.rejected),
        warnings=list(parsed.warnings),
    )
    company_cache: dict[str, int] = {}
    try:
        for record in parsed.records:
            try:
                with session.begin_nested():
                    # Checked before its company is looked for, so that an
                    # over-long company is reported as the contact's field.
                    cleaned = contacts.clean(record, region)
                    company_id = companies.find_or_create(
                        session, user, cleaned.organization, company_cache
                    )
                    contact_id = contacts.create(
                        session, user, cleaned, region=region, company_id=company_id
                    )
            except ValidationError as exc:
                summary.rejected.append(_rejection(record.line, exc))
                continue
            summary.created += 1
            summary.contact_ids.append(contact_id)
        summary.rejected.sort(key=lambda issue: issue.line)
        summary.warnings = _without_rejected(summary.warnings, summary.rejected)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise
    logger.info(
        "imported %s: %d created, %d rejected%s",
        file_name,
        summary.created,
        len(summary.rejected),
        " (dry run)" if dry_run else "",
    )
    return summary


def _without_rejected(
    warnings: list[ImportIssue], rejected: list[ImportIssue]
) -> list[ImportIssue]:
    """Drop the warnings about records that were rejected as a whole."""
    lines = {issue.line for issue in rejected}
    return [w for w in warnings if w.line == 0 or w.line not in lines]


def _rejection(line: int, error: ValidationError) -> ImportIssue:
    message = f"Line {line}: {error.field}: {error.reason}; it was not imported."
    return ImportIssue(line, error.field, message)
