"""Where the shared sample cases live, for tests that read them."""

from __future__ import annotations

import os
from pathlib import Path


def samples_dir() -> Path:
    """Return the folder holding case-01, case-02, ...

    The CRM_SAMPLES_DIR environment variable names it; without it the folder
    is `shared/data/samples` beside the repository.
    """
    configured = os.environ.get("CRM_SAMPLES_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "shared" / "data" / "samples"
