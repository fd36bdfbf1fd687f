"""ContactPage: a contact's details, company, deals and timeline."""

from __future__ import annotations

import datetime as dt
import html

from babel.dates import format_skeleton
from sqlalchemy.orm import Session

from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import record_pages
from crm_desktop.services.activities import ActivityData
from crm_desktop.services.record_pages import ContactPage as ContactPageData
from crm_desktop.services.records import AddressValue, PartialDate
from crm_desktop.ui.models.cells import CellFormatter
from crm_desktop.ui.pages.base import RecordPage, new_activity
from crm_desktop.ui.pages.details import DetailsPanel, anchor, record_href


class ContactPage(RecordPage):
    """One contact's window."""

    kind = "contact"
    screen_name = "contacts"
    page: ContactPageData | None

    def _read(
        self, session: Session, user: CurrentUser, record_id: int, limit: int
    ) -> ContactPageData:
        return record_pages.contact_page(session, user, record_id, timeline_limit=limit)

    def _titles(self, formatter: CellFormatter) -> tuple[str, str]:
        assert self.page is not None
        record = self.page.detail.record
        parts = [html.escape(record.job_title)] if record.job_title else []
        company = self.page.company
        if company is not None:
            parts.append(anchor(record_href("company", company.id), company.name))
        elif record.organization:
            parts.append(html.escape(record.organization))
        return record.display_name, " at ".join(parts)

    def _fill(self, details: DetailsPanel) -> None:
        assert self.page is not None
        page = self.page
        record = page.detail.record
        details.add_heading("Contact")
        details.add_emails(record.emails)
        details.add_phones(record.phones, page.business.default_region)
        details.add_links(
            "Addresses", [html.escape(_address(a)) for a in record.addresses]
        )
        details.add_text("Department", record.department)
        details.add_text("Birthday", _partial_date(details, record.birthday))
        details.add_links("Websites", [anchor(u.value, u.value) for u in record.urls])
        details.add_text("Tags", ", ".join(record.groups))
        details.add_custom(record.custom)
        details.add_text("Notes", record.notes)
        details.add_heading("Company and deals")
        company = page.company
        links = details.record_links("company", [company] if company else [])
        details.add_links("Company", links, "None")
        details.add_links("Deals", details.deal_links(page.deals), "None yet")
        details.add_heading("Record")
        details.add_text("Owner", page.owner_name)
        details.add_text(
            "Created", details.formatter.cell("datetime", page.detail.created_at)
        )
        details.add_text(
            "Updated", details.formatter.cell("datetime", page.detail.updated_at)
        )

    def activity_template(self, kind: str) -> ActivityData:
        assert self.page is not None
        return new_activity(
            kind,
            contact_id=self.record_id,
            company_id=self.page.detail.company_id,
        )


def _address(address: AddressValue) -> str:
    town = " ".join(p for p in (address.postcode, address.city) if p)
    parts = [address.street, town, address.region, address.country]
    text = ", ".join(p for p in parts if p)
    return f"{text} ({address.label})" if address.label else text


def _partial_date(details: DetailsPanel, day: PartialDate | None) -> str:
    if day is None:
        return ""
    locale = details.formatter.locale
    if day.year is None:
        # A leap year, so 29 February can be shown; the year is not printed.
        return format_skeleton(
            "MMMMd", dt.date(2000, day.month, day.day), locale=locale
        )
    return details.formatter.cell("date", dt.date(day.year, day.month, day.day))
