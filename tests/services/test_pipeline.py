"""The pipeline service on both back-ends: board figures, filters, moves, history."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from crm_desktop.db.database import Database
from crm_desktop.db.models import Deal
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import companies, deals, pipeline
from crm_desktop.services.companies import CompanyData
from crm_desktop.services.deals import DealData
from crm_desktop.services.errors import (
    NotFoundError,
    PermissionDeniedError,
    StaleRecordError,
    ValidationError,
)
from crm_desktop.services.pipeline import ClosePeriod
from tests.services.record_checks import add_user, audit_rows, stage_history, stored

TODAY = dt.date(2027, 5, 14)


def _stages(database: Database) -> dict[str, int]:
    with database.session() as session:
        return {s.name: s.id for s in deals.stages(session)}


def _create(
    database: Database,
    user: CurrentUser,
    title: str,
    stage: str,
    amount: str = "100.00",
    *,
    is_shared: bool = False,
    **values: Any,
) -> int:
    data = DealData(
        title=title,
        stage_id=_stages(database)[stage],
        amount=Decimal(amount),
        **values,
    )
    with database.session() as session:
        deal_id = deals.create(session, user, data, is_shared=is_shared)
        session.commit()
    return deal_id


def _board(database: Database, user: CurrentUser, **filters: Any) -> pipeline.Board:
    with database.session() as session:
        return pipeline.board(session, user, today=TODAY, **filters)


def _counts(board: pipeline.Board) -> dict[str, int]:
    return {column.name: column.count for column in board.columns}


def _titles(board: pipeline.Board) -> set[str]:
    return {card.title for column in board.columns for card in column.cards}


def _move(
    database: Database,
    user: CurrentUser,
    deal_id: int,
    version: int,
    stage: str,
    reason: str = "",
) -> int:
    with database.session() as session:
        new_version = pipeline.move(
            session,
            user,
            deal_id,
            version,
            _stages(database)[stage],
            lost_reason=reason,
        )
        session.commit()
    return new_version


def test_columns_are_open_stages_then_won_and_lost(
    database: Database, admin: CurrentUser
) -> None:
    board = _board(database, admin)

    assert [(c.name, c.kind) for c in board.columns] == [
        ("Lead", "open"),
        ("Qualified", "open"),
        ("Proposal", "open"),
        ("Negotiation", "open"),
        ("Won", "won"),
        ("Lost", "lost"),
    ]
    assert [c.probability for c in board.columns] == [10, 25, 50, 75, 100, 0]
    assert all(c.count == 0 and c.cards == () for c in board.columns)
    assert (board.currency, board.today) == ("EUR", TODAY)


def test_counts_and_totals_cover_each_stage_exactly_per_currency(
    database: Database, admin: CurrentUser
) -> None:
    # Cents that binary floats cannot hold: the sum must still be exact.
    for cents in ("0.10", "0.20", "1234567.89"):
        _create(database, admin, f"Lead {cents}", "Lead", cents)
    _create(database, admin, "Dollars", "Lead", "50.05", currency="USD")
    _create(database, admin, "Big win", "Won", "999999999999.99")
    _create(database, admin, "Gone", "Lost", "10.00", lost_reason="Price")

    board = _board(database, admin)

    assert _counts(board) == {
        "Lead": 4,
        "Qualified": 0,
        "Proposal": 0,
        "Negotiation": 0,
        "Won": 1,
        "Lost": 1,
    }
    lead = board.columns[0]
    assert lead.totals == (
        pipeline.MoneyTotal("EUR", Decimal("1234568.19")),
        pipeline.MoneyTotal("USD", Decimal("50.05")),
    )
    assert lead.total("EUR") == Decimal("1234568.19")
    assert board.columns[1].total("EUR") == Decimal("0.00")
    assert board.columns[4].total("EUR") == Decimal("999999999999.99")
    assert board.columns[5].total("EUR") == Decimal("10.00")


def test_cards_carry_what_the_board_shows(
    database: Database, admin: CurrentUser
) -> None:
    with database.session() as session:
        company_id = companies.create(
            session, admin, CompanyData(name="Acme Tiles"), region="GB"
        )
        session.commit()
    late = _create(
        database,
        admin,
        "Roof tiles",
        "Proposal",
        "1250.50",
        currency="GBP",
        company_id=company_id,
        expected_close=TODAY - dt.timedelta(days=1),
    )
    due_today = _create(database, admin, "Gutters", "Proposal", expected_close=TODAY)
    undated = _create(database, admin, "Chimney", "Proposal")
    _create(
        database,
        admin,
        "Closed late",
        "Won",
        expected_close=TODAY - dt.timedelta(days=30),
    )

    board = _board(database, admin)

    proposal = board.column(_stages(database)["Proposal"])
    assert [card.id for card in proposal.cards] == [late, due_today, undated]
    assert proposal.cards[0] == pipeline.DealCard(
        id=late,
        version=1,
        stage_id=proposal.stage_id,
        title="Roof tiles",
        company_name="Acme Tiles",
        amount=Decimal("1250.50"),
        currency="GBP",
        owner_name="admin",
        expected_close=TODAY - dt.timedelta(days=1),
        overdue=True,
    )
    assert [card.overdue for card in proposal.cards] == [True, False, False]
    assert proposal.cards[1].company_name == ""
    # A won deal is closed: its date passing is no longer a concern.
    assert board.columns[4].cards[0].overdue is False


def test_cards_are_limited_per_stage_but_figures_cover_every_deal(
    database: Database, admin: CurrentUser
) -> None:
    for number in range(5):
        _create(database, admin, f"Deal {number}", "Qualified", "10.00")

    board = _board(database, admin, limit_per_stage=2)

    qualified = board.columns[1]
    assert (qualified.count, len(qualified.cards)) == (5, 2)
    assert qualified.total("EUR") == Decimal("50.00")


def test_trashed_deals_are_left_out(database: Database, admin: CurrentUser) -> None:
    kept = _create(database, admin, "Kept", "Lead", "5.00")
    gone = _create(database, admin, "Trashed", "Lead", "7.00")
    with database.session() as session:
        deals.trash(session, admin, gone, 1)
        session.commit()

    board = _board(database, admin)

    assert [card.id for card in board.columns[0].cards] == [kept]
    assert (board.columns[0].count, board.columns[0].total("EUR")) == (
        1,
        Decimal("5.00"),
    )


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {"May early", "May late", "June", "July", "Undated", "Ann's"}),
        (
            {"close_from": dt.date(2027, 5, 1)},
            {"May early", "May late", "June", "July"},
        ),
        ({"close_to": dt.date(2027, 5, 31)}, {"May early", "May late", "Ann's"}),
        (
            {"close_from": dt.date(2027, 5, 1), "close_to": dt.date(2027, 5, 31)},
            {"May early", "May late"},
        ),
        ({"overdue_only": True}, {"May early", "Ann's"}),
        ({"owner": "ann"}, {"Ann's"}),
    ],
)
def test_filters_narrow_the_board(
    database: Database,
    admin: CurrentUser,
    filters: dict[str, Any],
    expected: set[str],
) -> None:
    ann = add_user(database, admin, "ann", "staff")
    _create(database, admin, "May early", "Lead", expected_close=dt.date(2027, 5, 2))
    _create(database, admin, "May late", "Won", expected_close=dt.date(2027, 5, 30))
    _create(database, admin, "June", "Proposal", expected_close=dt.date(2027, 6, 1))
    _create(database, admin, "July", "Lost", expected_close=dt.date(2027, 7, 1))
    _create(database, admin, "Undated", "Lead")
    _create(database, ann, "Ann's", "Lead", expected_close=dt.date(2027, 4, 30))
    given = dict(filters)
    if given.pop("owner", None):
        given["owner_id"] = ann.id

    board = _board(database, admin, **given)

    assert _titles(board) == expected
    assert sum(column.count for column in board.columns) == len(expected)


@pytest.mark.parametrize(
    ("period", "today", "expected"),
    [
        (ClosePeriod.ALL, TODAY, (None, None)),
        (ClosePeriod.OVERDUE, TODAY, (None, None)),
        (ClosePeriod.THIS_MONTH, TODAY, (dt.date(2027, 5, 1), dt.date(2027, 5, 31))),
        (
            ClosePeriod.THIS_MONTH,
            dt.date(2028, 2, 29),
            (dt.date(2028, 2, 1), dt.date(2028, 2, 29)),
        ),
        (
            ClosePeriod.THIS_MONTH,
            dt.date(2027, 12, 31),
            (dt.date(2027, 12, 1), dt.date(2027, 12, 31)),
        ),
        (
            ClosePeriod.THIS_QUARTER,
            TODAY,
            (dt.date(2027, 4, 1), dt.date(2027, 6, 30)),
        ),
        (
            ClosePeriod.NEXT_QUARTER,
            TODAY,
            (dt.date(2027, 7, 1), dt.date(2027, 9, 30)),
        ),
        (
            ClosePeriod.NEXT_QUARTER,
            dt.date(2027, 11, 2),
            (dt.date(2028, 1, 1), dt.date(2028, 3, 31)),
        ),
    ],
)
def test_close_periods_are_whole_months_and_quarters(
    period: ClosePeriod,
    today: dt.date,
    expected: tuple[dt.date | None, dt.date | None],
) -> None:
    assert period.date_range(today) == expected


def test_staff_see_only_their_own_and_shared_deals(
    database: Database, admin: CurrentUser
) -> None:
    ann = add_user(database, admin, "ann", "staff")
    tom = add_user(database, admin, "tom", "staff")
    _create(database, ann, "Ann private", "Lead", "1.00")
    _create(database, ann, "Ann shared", "Lead", "2.00", is_shared=True)
    _create(database, tom, "Tom private", "Lead", "4.00")

    as_tom = _board(database, tom)
    as_admin = _board(database, admin)

    assert _titles(as_tom) == {"Ann shared", "Tom private"}
    assert (as_tom.columns[0].count, as_tom.columns[0].total("EUR")) == (
        2,
        Decimal("6.00"),
    )
    assert as_admin.columns[0].count == 3


def test_move_changes_the_stage_and_writes_history_and_audit(
    database: Database, admin: CurrentUser
) -> None:
    stages = _stages(database)
    deal_id = _create(database, admin, "Roof", "Lead")

    version = _move(database, admin, deal_id, 1, "Proposal")

    row = stored(database, Deal, deal_id)
    assert (version, row.version, row.stage_id) == (2, 2, stages["Proposal"])
    assert (row.closed_at, row.updated_by_id) == (None, admin.id)
    assert stage_history(database, deal_id) == [
        (None, stages["Lead"], admin.id, ""),
        (stages["Lead"], stages["Proposal"], admin.id, ""),
    ]
    assert audit_rows(database, "deals")[-1] == (
        "update",
        admin.id,
        deal_id,
        {"stage_id": [stages["Lead"], stages["Proposal"]]},
    )
    board = _board(database, admin)
    assert board.column(stages["Proposal"]).cards[0].version == 2


def test_moving_to_won_closes_the_deal_and_back_to_open_reopens_it(
    database: Database, admin: CurrentUser
) -> None:
    stages = _stages(database)
    deal_id = _create(database, admin, "Roof", "Negotiation")

    _move(database, admin, deal_id, 1, "Won")
    closed_at = stored(database, Deal, deal_id).closed_at
    _move(database, admin, deal_id, 2, "Lost", "Went bankrupt")
    lost = stored(database, Deal, deal_id)
    _move(database, admin, deal_id, 3, "Qualified")
    reopened = stored(database, Deal, deal_id)

    assert closed_at is not None
    assert (lost.closed_at, lost.lost_reason) == (closed_at, "Went bankrupt")
    assert (reopened.closed_at, reopened.lost_reason) == (None, "")
    assert reopened.stage_id == stages["Qualified"]
    assert stage_history(database, deal_id)[1:] == [
        (stages["Negotiation"], stages["Won"], admin.id, ""),
        (stages["Won"], stages["Lost"], admin.id, "Went bankrupt"),
        (stages["Lost"], stages["Qualified"], admin.id, ""),
    ]
    *_rest, to_lost, to_open = audit_rows(database, "deals")
    assert to_lost[3] == {
        "stage_id": [stages["Won"], stages["Lost"]],
        "lost_reason": ["", "Went bankrupt"],
    }
    assert set(to_open[3]) == {"stage_id", "closed_at", "lost_reason"}
    assert to_open[3]["closed_at"][1] is None


def test_stale_move_changes_nothing(database: Database, admin: CurrentUser) -> None:
    stages = _stages(database)
    deal_id = _create(database, admin, "Roof", "Lead")
    _move(database, admin, deal_id, 1, "Qualified")
    audit_before = audit_rows(database, "deals")

    with pytest.raises(StaleRecordError):
        _move(database, admin, deal_id, 1, "Won")

    row = stored(database, Deal, deal_id)
    assert (row.version, row.stage_id, row.closed_at) == (2, stages["Qualified"], None)
    assert len(stage_history(database, deal_id)) == 2
    assert audit_rows(database, "deals") == audit_before


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_lost_without_a_reason_is_refused_and_nothing_changes(
    database: Database, admin: CurrentUser, reason: str
) -> None:
    stages = _stages(database)
    deal_id = _create(database, admin, "Roof", "Proposal")

    with pytest.raises(ValidationError) as raised:
        _move(database, admin, deal_id, 1, "Lost", reason)

    assert raised.value.record == "Deal 'Roof'"
    assert raised.value.field == "lost_reason"
    assert "why" in raised.value.reason
    row = stored(database, Deal, deal_id)
    assert (row.version, row.stage_id, row.closed_at) == (1, stages["Proposal"], None)
    assert len(stage_history(database, deal_id)) == 1
    assert [entry[0] for entry in audit_rows(database, "deals")] == ["create"]


def test_lost_with_a_reason_keeps_it_trimmed(
    database: Database, admin: CurrentUser
) -> None:
    deal_id = _create(database, admin, "Roof", "Proposal")

    _move(database, admin, deal_id, 1, "Lost", "  Too expensive ")

    row = stored(database, Deal, deal_id)
    assert (row.lost_reason, row.closed_at is not None) == ("Too expensive", True)
    assert stage_history(database, deal_id)[-1][3] == "Too expensive"


def test_move_to_an_unknown_stage_is_refused(
    database: Database, admin: CurrentUser
) -> None:
    deal_id = _create(database, admin, "Roof", "Lead")

    with database.session() as session, pytest.raises(ValidationError) as raised:
        pipeline.move(session, admin, deal_id, 1, 9999)

    assert raised.value.field == "stage"
    assert stored(database, Deal, deal_id).version == 1


def test_move_to_the_same_stage_changes_nothing(
    database: Database, admin: CurrentUser
) -> None:
    deal_id = _create(database, admin, "Roof", "Lead")

    assert _move(database, admin, deal_id, 1, "Lead") == 1

    assert stored(database, Deal, deal_id).version == 1
    assert len(stage_history(database, deal_id)) == 1
    assert len(audit_rows(database, "deals")) == 1


def test_staff_cannot_move_another_users_private_deal(
    database: Database, admin: CurrentUser
) -> None:
    ann = add_user(database, admin, "ann", "staff")
    tom = add_user(database, admin, "tom", "staff")
    deal_id = _create(database, ann, "Ann's", "Lead")

    with pytest.raises(NotFoundError):
        _move(database, tom, deal_id, 1, "Won")
    with database.session() as session, pytest.raises(NotFoundError):
        pipeline.history(session, tom, deal_id)

    assert stored(database, Deal, deal_id).version == 1


def test_read_only_user_cannot_move(database: Database, admin: CurrentUser) -> None:
    reader = add_user(database, admin, "reader", "read_only")
    deal_id = _create(database, admin, "Roof", "Lead", is_shared=True)

    with pytest.raises(PermissionDeniedError):
        _move(database, reader, deal_id, 1, "Won")

    assert stored(database, Deal, deal_id).version == 1
    assert len(stage_history(database, deal_id)) == 1


def test_history_names_stages_and_who_moved_oldest_first(
    database: Database, admin: CurrentUser
) -> None:
    ann = add_user(database, admin, "ann", "staff")
    deal_id = _create(database, ann, "Roof", "Lead", is_shared=True)
    _move(database, admin, deal_id, 1, "Lost", "No budget")

    with database.session() as session:
        steps = pipeline.history(session, ann, deal_id)

    assert [(s.from_stage, s.to_stage, s.changed_by) for s in steps] == [
        ("", "Lead", "ann"),
        ("Lead", "Lost", "admin"),
    ]
    assert [s.lost_reason for s in steps] == ["", "No budget"]
    assert steps[0].changed_at <= steps[1].changed_at
    assert steps[1].changed_at.tzinfo is not None


def test_a_stage_changed_in_the_deal_form_is_recorded_too(
    database: Database, admin: CurrentUser
) -> None:
    stages = _stages(database)
    data = DealData(title="Roof", stage_id=stages["Lead"])
    with database.session() as session:
        deal_id = deals.create(session, admin, data)
        deals.update(session, admin, deal_id, 1, replace(data, notes="Called"))
        deals.update(session, admin, deal_id, 2, replace(data, stage_id=stages["Won"]))
        session.commit()

    assert stage_history(database, deal_id) == [
        (None, stages["Lead"], admin.id, ""),
        (stages["Lead"], stages["Won"], admin.id, ""),
    ]


def test_owners_lists_active_users_who_can_own_deals(
    database: Database, admin: CurrentUser
) -> None:
    add_user(database, admin, "zed", "staff")
    add_user(database, admin, "reader", "read_only")

    with database.session() as session:
        names = [owner.name for owner in pipeline.owners(session)]

    assert names == ["admin", "zed"]
