"""Logging of the long-running commands (`registry up`, `serve`, `index follow`), configured once
here and never in library modules: warnings and errors on the console (stderr), and every record
from ``level`` on in the data directory's ``registry.log``.

The API process owns the file and rotates it (10 MB, five kept). The indexer runs as its own
process writing to the same file: it opens it with a ``WatchedFileHandler``, which reopens the
file when the API process has rotated it, so only one process ever renames files."""

from __future__ import annotations

import logging
import logging.config
from pathlib import Path
from typing import Any, Literal

LOG_FILE = "registry.log"
Level = Literal["debug", "info", "warning", "error"]
_MAX_BYTES = 10 * 1024 * 1024
_BACKUPS = 5
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d %(threadName)s] %(message)s"
# Libraries that log every request at INFO: their lines would bury ours.
_QUIET = ("httpx", "httpcore", "urllib3", "web3", "asyncio")


def configure(data_dir: Path, level: Level = "info", *, rotate: bool = True) -> Path:
    """Sends warnings and errors to stderr and records from ``level`` on to
    ``data_dir/registry.log``; ``rotate`` for the one process that rotates the file (the others
    follow its rotations). Returns the file's path."""
    threshold = logging.getLevelNamesMapping()[level.upper()]
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOG_FILE
    file_handler: dict[str, Any] = {
        "formatter": "line",
        "filename": str(path),
        "encoding": "utf-8",
    }
    if rotate:
        file_handler |= {
            "class": "logging.handlers.RotatingFileHandler",
            "maxBytes": _MAX_BYTES,
            "backupCount": _BACKUPS,
        }
    else:
        file_handler["class"] = "logging.handlers.WatchedFileHandler"
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"line": {"format": _FORMAT}},
            "handlers": {
                "console": {
                    "class": "logging.StreamHandler",
                    "stream": "ext://sys.stderr",
                    "formatter": "line",
                    "level": max(threshold, logging.WARNING),
                },
                "file": file_handler,
            },
            "loggers": {name: {"level": max(threshold, logging.WARNING)} for name in _QUIET},
            "root": {"level": threshold, "handlers": ["console", "file"]},
        }
    )
    return path
