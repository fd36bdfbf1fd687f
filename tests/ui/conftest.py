"""Fixtures for the Qt tests: an offscreen display and real SQLite databases."""

from __future__ import annotations

import os

# Before anything imports Qt: no display here, and Qt picks its platform once.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LANG", "C.UTF-8")

import gc  # noqa: E402
import shutil  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import psycopg  # noqa: E402
import pytest  # noqa: E402
from psycopg import sql  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from crm_desktop.db.database import Database, open_database  # noqa: E402
from crm_desktop.security import passwords  # noqa: E402
from crm_desktop.security.roles import CurrentUser  # noqa: E402
from crm_desktop.services import contacts, setup  # noqa: E402
from crm_desktop.services.records import ContactRecord, EmailValue  # noqa: E402
from crm_desktop.ui.workers import wait_for_workers  # noqa: E402
from tests.conftest import POSTGRES_HINT  # noqa: E402

ADMIN = "admin"
ADMIN_PASSWORD = "correct horse"
GIVEN_NAMES = (
    "Ada", "Bruno", "Chloé", "Dmitri", "Elif", "Farah", "Gustav", "Hana",
    "Ivo", "Jana", "Kofi", "Lena", "Mateo", "Nora", "Oskar", "Priya",
)  # fmt: skip
FAMILY_NAMES = (
    "Novak", "Okafor", "Larsen", "Moreau", "Schmidt", "Tanaka", "Walsh",
    "Ibáñez", "Kowalski", "Haddad", "Fischer", "Rossi", "Dubois", "Nguyen",
    "Andersson", "Petrov", "Yilmaz", "Costa", "Murphy",
)  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # WORKAROUND: the offscreen platform warns "does not support
    # propagateSizeHints()" whenever a top-level window is shown; without
    # this, qt_log_level_fail = WARNING fails every test that shows one.
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.qt_log_ignore("propagateSizeHints"))


def contact_names(count: int) -> list[tuple[str, str]]:
    """Return `count` (given, family) pairs; each pair differs from the rest."""
    pairs = [(g, f) for f in FAMILY_NAMES for g in GIVEN_NAMES]
    names = []
    for index in range(count):
        given, family = pairs[index % len(pairs)]
        suffix = index // len(pairs)
        names.append((given, f"{family}{'-' + str(suffix) if suffix else ''}"))
    return names


def build_database(url: str, contact_count: int) -> tuple[Database, CurrentUser]:
    """Open a fresh database with an admin and some contacts."""
    passwords.use_parameters(time_cost=1, memory_cost=8, parallelism=1)
    database = open_database(url)
    with database.session() as session:
        admin = setup.initialize(session, ADMIN, ADMIN_PASSWORD, full_name="Ada Admin")
    with database.session() as session:
        for given, family in contact_names(contact_count):
            address = f"{given}.{family}@example.com".lower()
            record = ContactRecord(
                line=0,
                given_name=given,
                family_name=family,
                organization="Acme Ltd",
                emails=[EmailValue(address, "work")],
            )
            contacts.create(session, admin, record, region="GB")
        session.commit()
    return database, admin


@pytest.fixture(autouse=True)
def _private_settings(tmp_path: Path) -> Iterator[None]:
    """Keep QSettings (window geometry, last view) out of the user's home."""
    folder = str(tmp_path / "settings")
    for kind in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(kind, QSettings.Scope.UserScope, folder)
    yield


@pytest.fixture(autouse=True)
def _no_workers_left(qapp: QApplication) -> Iterator[None]:
    """Let no background work, and no Qt object in a cycle, outlive its test."""
    yield
    assert wait_for_workers(10_000)
    qapp.processEvents()
    # NOTE: Qt objects left in reference cycles are freed by whichever
    # thread next triggers a collection; a worker thread deleting them
    # crashes the run. Collect here, on the GUI thread.
    gc.collect()


def _template(factory: pytest.TempPathFactory, count: int) -> Path:
    # Writing contacts through the service costs about 6 ms each; build each
    # size once per run and give every test its own copy of the file.
    path = factory.mktemp(f"template{count}") / "crm.db"
    database, _admin = build_database(f"sqlite:///{path}", count)
    database.dispose()
    return path


def _copy(template: Path, tmp_path: Path) -> Database:
    target = tmp_path / "crm.db"
    shutil.copyfile(template, target)
    passwords.use_parameters(time_cost=1, memory_cost=8, parallelism=1)
    return open_database(f"sqlite:///{target}")


@pytest.fixture(scope="session")
def _template_300(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _template(tmp_path_factory, 300)


@pytest.fixture(scope="session")
def _template_1200(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _template(tmp_path_factory, 1200)


@pytest.fixture(scope="session")
def _postgres_template_300() -> Iterator[str]:
    """A PostgreSQL database with an admin and 300 contacts, built once."""
    server = os.environ.get("CRM_TEST_DATABASE_URL")
    if not server:
        pytest.skip(POSTGRES_HINT)
    name = f"crm_ui_template_{uuid.uuid4().hex[:8]}"
    with _maintenance(server) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = make_url(server).set(drivername="postgresql", database=name)
        database, _admin = build_database(url.render_as_string(False), 300)
        # A template can be copied only while nobody is connected to it.
        database.dispose()
        yield name
    finally:
        with _maintenance(server) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )


def _maintenance(server: str) -> psycopg.Connection[tuple[object, ...]]:
    url = make_url(server).set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(False), autocommit=True)


def _postgres_copy(template: str) -> Iterator[Database]:
    server = os.environ["CRM_TEST_DATABASE_URL"]
    name = f"crm_ui_{uuid.uuid4().hex[:12]}"
    with _maintenance(server) as connection:
        connection.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
    url = make_url(server).set(drivername="postgresql", database=name)
    passwords.use_parameters(time_cost=1, memory_cost=8, parallelism=1)
    database = open_database(url.render_as_string(False))
    try:
        yield database
    finally:
        wait_for_workers(10_000)
        database.dispose()
        with _maintenance(server) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )


@pytest.fixture(params=["sqlite", "postgresql"])
def ui_database(
    request: pytest.FixtureRequest, tmp_path: Path, _template_300: Path
) -> Iterator[Database]:
    """A fresh database with an admin and 300 contacts, on each back-end."""
    if request.param == "postgresql":
        template = request.getfixturevalue("_postgres_template_300")
        yield from _postgres_copy(template)
        return
    database = _copy(_template_300, tmp_path)
    yield database
    wait_for_workers(10_000)
    database.dispose()


@pytest.fixture
def big_database(tmp_path: Path, _template_1200: Path) -> Iterator[Database]:
    """A fresh SQLite database with an admin and 1,200 contacts."""
    database = _copy(_template_1200, tmp_path)
    yield database
    wait_for_workers(10_000)
    database.dispose()


def _admin_of(database: Database) -> CurrentUser:
    from crm_desktop.services import users

    with database.session() as session:
        return users.authenticate(session, ADMIN, ADMIN_PASSWORD)


@pytest.fixture
def admin(ui_database: Database) -> CurrentUser:
    """The administrator of `ui_database`."""
    return _admin_of(ui_database)


@pytest.fixture
def big_admin(big_database: Database) -> CurrentUser:
    """The administrator of `big_database`."""
    return _admin_of(big_database)
