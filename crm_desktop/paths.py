"""Where crm-desktop keeps its files on this computer."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path, user_log_path

APP_NAME = "crm-desktop"


def data_dir() -> Path:
    """Return the user's data folder for crm-desktop, creating it."""
    path = user_data_path(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_url() -> str:
    """Return the URL of the default SQLite database in the data folder."""
    return f"sqlite:///{data_dir() / 'crm.db'}"


def demo_database_url() -> str:
    """Return the URL of the demo database, beside the default one."""
    return f"sqlite:///{data_dir() / 'demo.db'}"


def log_dir() -> Path:
    path = user_log_path(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path
