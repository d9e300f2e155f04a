"""Escalations that could not be written (database down or full), kept as
files and written when the database is back, so none is dropped.

The action server keeps them in ESCALATION_SPOOL (default var/spool/); a
background thread tries every RETRY_SECONDS and announces each one to the
webhook once it is stored. One file per conversation: asking again while
the database is down does not make a second escalation.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Callable, Optional

from sqlalchemy.exc import SQLAlchemyError

from bot.helpdesk.escalations import Escalation, EscalationStore, NewEscalation
from bot.settings import environment

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
_thread: Optional[threading.Thread] = None
_stopping = threading.Event()
_lock = threading.Lock()


def spool_folder() -> Path:
    folder = environment().escalation_spool
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def keep(new: NewEscalation) -> Path:
    """Write the escalation to the spool (atomically: a crash leaves no half file)."""
    name = hashlib.sha256(new.conversation_id.encode("utf-8")).hexdigest()[:32] + ".json"
    path = spool_folder() / name
    partial = path.with_suffix(".tmp")
    text = json.dumps({**dataclasses.asdict(new), "kept_at": time.time()}, ensure_ascii=False)
    # Mode 0600 whatever the umask: it holds a customer's messages and e-mail.
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as file:
        file.write(text)
    partial.replace(path)
    return path


def waiting() -> int:
    return len(list(spool_folder().glob("*.json")))


def flush(store: EscalationStore, announce: Callable[[Escalation], None]) -> int:
    """Write every spooled escalation that has no open one yet; the number written.
    Stops at the first database error (still down): the files stay."""
    written = 0
    for path in sorted(spool_folder().glob("*.json"), key=lambda p: p.stat().st_mtime):
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            logger.error("unreadable spooled escalation %s left in place: %s", path, error)
            continue
        raw.pop("kept_at", None)
        new = NewEscalation(**raw)
        try:
            if store.open_for(new.conversation_id) is None:
                announce(store.create(new))
                written += 1
        except SQLAlchemyError as error:
            logger.warning(
                "database still unavailable, %d escalation(s) wait in %s: %s", waiting(), spool_folder(), error
            )
            break
        path.unlink(missing_ok=True)
    return written


def retry_in_background(store_factory: Callable[[], EscalationStore], announce: Callable[[Escalation], None]) -> None:
    """Start (once) the thread that writes spooled escalations when the database is back."""
    global _thread

    def loop() -> None:
        while not _stopping.wait(RETRY_SECONDS):
            try:
                if waiting():
                    written = flush(store_factory(), announce)
                    if written:
                        logger.info("wrote %d spooled escalation(s)", written)
            except Exception:  # the thread must outlive any surprise
                logger.exception("spooled escalations: retry failed")

    with _lock:
        if _thread is None or not _thread.is_alive():
            _stopping.clear()
            _thread = threading.Thread(target=loop, name="escalation-spool", daemon=True)
            _thread.start()


def stop_retrying() -> None:
    """End the background thread (tests: it would write another test's spool)."""
    global _thread
    with _lock:
        _stopping.set()
        if _thread is not None:
            _thread.join(timeout=RETRY_SECONDS + 5)
        _thread = None
