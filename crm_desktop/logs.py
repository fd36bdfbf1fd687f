"""Logging set-up, done once at start-up: a rotating file and stderr."""

from __future__ import annotations

import logging
import logging.handlers

from crm_desktop.paths import log_dir

_OURS = "_crm_desktop_handler"


class _OneLineFormatter(logging.Formatter):
    """Plain one-line messages for the terminal; tracebacks go to the file."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def setup_logging(*, verbose: bool = False) -> None:
    """Send records to a rotating file (debug or info) and stderr (warnings)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _OURS, False)]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    handlers: list[logging.Handler] = []
    try:
        file_handler = logging.handlers.RotatingFileHandler(
            log_dir() / "crm-desktop.log",
            maxBytes=2_000_000,
            backupCount=3,
            encoding="utf-8",
        )
    except OSError:
        pass
    else:
        file_handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
        )
        handlers.append(file_handler)
    console = logging.StreamHandler()
    # Errors the user can act on are printed by the command itself.
    console.setLevel(logging.DEBUG if verbose else logging.CRITICAL)
    console.setFormatter(_OneLineFormatter())
    handlers.append(console)
    for handler in handlers:
        setattr(handler, _OURS, True)
        root.addHandler(handler)
