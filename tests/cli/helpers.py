"""The command line in a real process, on a data folder of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def environment(data: Path) -> dict[str, str]:
    return {
        "TIDINGS_DATA_DIR": str(data),
        "TIDINGS_ALLOWED_NETWORKS": "127.0.0.0/8",
        "TIDINGS_CONNECT_TIMEOUT": "2",
        "TIDINGS_TOTAL_TIMEOUT": "5",
        "TIDINGS_PARSE_PROCESSES": "0",
        # English whatever the machine's locale: the tests read the English messages
        "TIDINGS_LANGUAGE": "en",
    }


def run_tidings(
    data: Path, *args: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """One command in a real process, its output piped."""
    return subprocess.run(
        [sys.executable, "-m", "tidings.cli", *args],
        env={**os.environ, **environment(data), **env},
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
        check=False,
    )
