"""Draw docs/screenshots/{contact,company,deal}_page.png from the demo database.

Run `uv run crm-desktop --demo --view contacts --screenshot /tmp/x.png` once
so the demo database exists, then
`QT_QPA_PLATFORM=offscreen uv run python scripts/record_page_screenshots.py`.
The pages are drawn from a copy of the demo database in which one deal of the
pictured company has moved through three stages and has four activities, as
the demo data gives deals neither.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_desktop.db.database import open_database
from crm_desktop.db.models import Activity, Contact, Deal, User
from crm_desktop.paths import data_dir
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import activities, deals, pipeline, users
from crm_desktop.services.activities import ActivityData
from crm_desktop.ui.main_window import MainWindow
from crm_desktop.ui.workers import wait_for_workers

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
SIZE = (1100, 720)
LOGGED = (
    (0, "call", "Walked through the renewal terms"),
    (3, "meeting", "Pricing workshop"),
    (6, "note", "Legal wants a 12-month term"),
    (10, "task", "Send the revised quote"),
)


def _pick(session: Session) -> tuple[int, int, int]:
    """Return the busiest contact with a company, its company and a deal."""
    busiest = (
        select(Activity.contact_id)
        .join(Contact, Contact.id == Activity.contact_id)
        .where(Contact.company_id.is_not(None))
        .group_by(Activity.contact_id)
        .order_by(func.count().desc(), Activity.contact_id)
        .limit(1)
    )
    contact_id = session.scalar(busiest)
    assert contact_id is not None, "the demo database has no activities"
    company_id = session.get(Contact, contact_id).company_id  # type: ignore[union-attr]
    deal = select(Deal.id).where(Deal.company_id == company_id).order_by(Deal.id)
    deal_id = session.scalar(deal.limit(1))
    assert company_id is not None and deal_id is not None
    return contact_id, company_id, deal_id


def _stage_the_deal(
    session: Session, user: CurrentUser, ids: tuple[int, int, int]
) -> None:
    contact_id, company_id, deal_id = ids
    stages = {stage.name: stage.id for stage in deals.stages(session)}
    deal = session.get(Deal, deal_id)
    assert deal is not None
    for name in ("Qualified", "Proposal", "Negotiation"):
        if deal.stage_id != stages[name]:
            pipeline.move(session, user, deal_id, deal.version, stages[name])
            session.flush()
    start = dt.datetime.now(dt.UTC).replace(hour=9, minute=30) - dt.timedelta(days=14)
    for days, kind, subject in LOGGED:
        when = start + dt.timedelta(days=days)
        data = ActivityData(
            kind,
            subject,
            due_at=when if kind == "task" else None,
            done_at=None if kind == "task" else when,
            contact_id=contact_id,
            company_id=company_id,
            deal_id=deal_id,
        )
        activities.create(session, user, data)
    session.commit()


def main() -> int:
    demo = data_dir() / "demo.db"
    if not demo.exists():
        print(f"No demo database at {demo}; run crm-desktop --demo first.")
        return 1
    app = QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "demo.db"
        shutil.copyfile(demo, copy)
        database = open_database(f"sqlite:///{copy}")
        with database.session() as session:
            row = session.scalar(select(User).where(User.username == "demo"))
            assert row is not None
            user = users.current_user(row)
            ids = _pick(session)
            _stage_the_deal(session, user, ids)
        window = MainWindow(database, user)
        names = ("contact", "company", "deal")
        for kind, record_id in zip(names, ids, strict=True):
            page = window.pages.open(kind, record_id)
            page.resize(*SIZE)
            while page.loading_label.isVisible() or not page.is_loaded:
                app.processEvents()
            app.processEvents()
            page.grab().save(str(OUT / f"{kind}_page.png"))
            print(f"{kind}_page.png: {page.title_label.text()}")
        wait_for_workers()
        window.live_updates.stop()
        window.deleteLater()
        app.processEvents()
        database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
