"""CompanyPage: a company's details, its contacts, deals and timeline."""

from __future__ import annotations

import html

from sqlalchemy.orm import Session

from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import record_pages
from crm_desktop.services.activities import ActivityData
from crm_desktop.services.record_pages import CompanyPage as CompanyPageData
from crm_desktop.services.records import PhoneValue
from crm_desktop.ui.models.cells import CellFormatter
from crm_desktop.ui.pages.base import RecordPage, new_activity
from crm_desktop.ui.pages.details import DetailsPanel, anchor


class CompanyPage(RecordPage):
    """One company's window."""

    kind = "company"
    screen_name = "companies"
    page: CompanyPageData | None

    def _read(
        self, session: Session, user: CurrentUser, record_id: int, limit: int
    ) -> CompanyPageData:
        return record_pages.company_page(session, user, record_id, timeline_limit=limit)

    def _titles(self, formatter: CellFormatter) -> tuple[str, str]:
        assert self.page is not None
        data = self.page.detail.data
        parts = [p for p in (data.industry, data.city, data.country) if p]
        return data.name, html.escape(" · ".join(parts))

    def _fill(self, details: DetailsPanel) -> None:
        assert self.page is not None
        page = self.page
        data = page.detail.data
        details.add_heading("Company")
        details.add_phone(
            "Phone",
            PhoneValue(data.phone, page.phone_e164),
            page.business.default_region,
        )
        website = data.website
        if website:
            href = website if "://" in website else f"https://{website}"
            details.add_links("Website", [anchor(href, website)])
        details.add_text("Domain", data.domain)
        details.add_text("Industry", data.industry)
        town = " ".join(p for p in (data.postcode, data.city) if p)
        parts = [data.street, town, data.region, data.country]
        details.add_text("Address", ", ".join(p for p in parts if p))
        details.add_text("Tags", ", ".join(page.tags))
        details.add_custom(page.custom)
        details.add_text("Notes", data.notes)
        details.add_heading("People and deals")
        people = details.record_links("contact", page.contacts)
        hidden = page.contact_count - len(page.contacts)
        if hidden > 0:
            people.append(html.escape(f"and {hidden} more"))
        details.add_links("Contacts", people, "None yet")
        details.add_links("Deals", details.deal_links(page.deals), "None yet")
        details.add_heading("Record")
        details.add_text("Owner", page.owner_name)
        formatter = details.formatter
        details.add_text("Created", formatter.cell("datetime", page.detail.created_at))
        details.add_text("Updated", formatter.cell("datetime", page.detail.updated_at))

    def activity_template(self, kind: str) -> ActivityData:
        return new_activity(kind, company_id=self.record_id)
