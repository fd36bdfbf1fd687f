"""DealPage: a deal's amount, stage, history, people and timeline."""

from __future__ import annotations

import html

from sqlalchemy.orm import Session

from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import record_pages
from crm_desktop.services.activities import ActivityData
from crm_desktop.services.pipeline import StageChange
from crm_desktop.services.record_pages import DealPage as DealPageData
from crm_desktop.ui.models.cells import CellFormatter
from crm_desktop.ui.pages.base import RecordPage, new_activity
from crm_desktop.ui.pages.details import DetailsPanel


class DealPage(RecordPage):
    """One deal's window."""

    kind = "deal"
    screen_name = "deals"
    page: DealPageData | None

    def _read(
        self, session: Session, user: CurrentUser, record_id: int, limit: int
    ) -> DealPageData:
        return record_pages.deal_page(session, user, record_id, timeline_limit=limit)

    def _titles(self, formatter: CellFormatter) -> tuple[str, str]:
        assert self.page is not None
        page = self.page
        amount = formatter.money(page.detail.data.amount, page.detail.data.currency)
        facts = " · ".join(p for p in (page.stage, amount) if p)
        return page.detail.data.title, html.escape(facts)

    def _fill(self, details: DetailsPanel) -> None:
        assert self.page is not None
        page = self.page
        data = page.detail.data
        formatter = details.formatter
        details.add_heading("Deal")
        details.add_text("Amount", formatter.money(data.amount, data.currency))
        details.add_text("Stage", page.stage)
        details.add_text("Expected close", formatter.cell("date", data.expected_close))
        details.add_text("Closed", formatter.cell("datetime", page.detail.closed_at))
        details.add_text("Lost because", data.lost_reason)
        details.add_text("Owner", page.owner_name)
        details.add_text("Lead source", data.lead_source)
        details.add_text("Notes", data.notes)
        details.add_heading("Company and people")
        company = [page.company] if page.company else []
        details.add_links("Company", details.record_links("company", company), "None")
        contacts = details.record_links("contact", page.contacts)
        details.add_links("Contacts", contacts, "None yet")
        details.add_heading("Stage history")
        lines = [_change(formatter, change) for change in reversed(page.history)]
        details.add_links("Moves", lines, "No moves yet")

    def activity_template(self, kind: str) -> ActivityData:
        assert self.page is not None
        data = self.page.detail.data
        return new_activity(
            kind,
            deal_id=self.record_id,
            contact_id=data.contact_id,
            company_id=data.company_id,
        )


def _change(formatter: CellFormatter, change: StageChange) -> str:
    when = formatter.cell("datetime", change.changed_at)
    step = (
        f"{change.from_stage} → {change.to_stage}"
        if change.from_stage
        else (f"Entered {change.to_stage}")
    )
    who = f" by {change.changed_by}" if change.changed_by else ""
    why = f" ({change.lost_reason})" if change.lost_reason else ""
    return html.escape(f"{when}: {step}{who}{why}")
