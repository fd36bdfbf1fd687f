"""The lists' linked columns: a deal's company, whom an activity regards."""

from __future__ import annotations

from decimal import Decimal

from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import activities, companies, contacts, deals, listing, lists
from crm_desktop.services.records import ContactRecord


def _column(
    spec: listing.ListSpec, rows: list[listing.ListRow], key: str
) -> list[object]:
    position = [c.key for c in spec.columns].index(key)
    return [row.values[position] for row in rows]


def test_deals_show_their_company_and_activities_whom_they_regard(
    database: Database, admin: CurrentUser
) -> None:
    with database.session() as session:
        company = companies.create(
            session, admin, companies.CompanyData("Løvaas AS"), region="NO"
        )
        person = contacts.create(
            session,
            admin,
            ContactRecord(line=0, given_name="Ingrid", family_name="Berg"),
            region="NO",
        )
        stage = deals.stages(session)[0].id
        deal = deals.create(
            session,
            admin,
            deals.DealData(
                "Boat shed", stage, Decimal("900.00"), "NOK", company_id=company
            ),
        )
        for subject, links in (
            ("Call Ingrid", {"contact_id": person}),
            ("Visit the yard", {"company_id": company}),
            ("Send the offer", {"deal_id": deal}),
            ("Tidy the files", {}),
        ):
            activities.create(
                session, admin, activities.ActivityData("task", subject, **links)
            )
        session.commit()

        deal_rows = listing.fetch_page(
            session, admin, lists.DEALS, listing.ListRequest()
        )
        activity_rows = listing.fetch_page(
            session, admin, lists.ACTIVITIES, listing.ListRequest(sort="subject")
        )

    assert _column(lists.DEALS, deal_rows, "company") == ["Løvaas AS"]
    assert dict(
        zip(
            _column(lists.ACTIVITIES, activity_rows, "subject"),
            _column(lists.ACTIVITIES, activity_rows, "regarding"),
            strict=True,
        )
    ) == {
        "Call Ingrid": "Ingrid Berg",
        "Visit the yard": "Løvaas AS",
        "Send the offer": "Boat shed",
        "Tidy the files": None,
    }
