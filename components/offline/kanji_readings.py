"""pykakasi's kanji readings without its 120 MB in memory.

pykakasi unpickles its whole kanji dictionary (a 9.7 MB file, about 120 MiB of Python objects) into
any process that reads one Japanese sentence, which alone took the app past its 600 MB memory budget.
Here a child process converts that dictionary once into a SQLite file of per-character entries, in
the user's cache directory, and pykakasi is pointed at it: the app then holds only the entries a
text needs. If the file cannot be built, pykakasi loads its dictionary as usual (slower to start,
larger, same readings).
"""

from __future__ import annotations

import functools
import logging
import os
import pickle
import sqlite3
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

log = logging.getLogger(__name__)

BUILD_TIMEOUT_S = 120.0

# Runs in a child process so the full dictionary never enters the app's memory.
_BUILD_SCRIPT = """
import pickle, sqlite3, sys
from pykakasi.properties import Configurations
with open(Configurations.dictpath(Configurations.jisyo_kanwa), "rb") as source:
    table = pickle.load(source)
db = sqlite3.connect(sys.argv[1])
db.execute("CREATE TABLE kanwa (first_char INTEGER PRIMARY KEY, entries BLOB NOT NULL)")
db.executemany("INSERT INTO kanwa VALUES (?, ?)", ((k, pickle.dumps(v)) for k, v in table.items()))
db.commit()
db.close()
"""


class KanwaStore:
    """Read-only, thread-safe stand-in for pykakasi's in-memory table: .get(ord(char)) -> entries."""

    def __init__(self, path: Path):
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()

    @functools.lru_cache(maxsize=1024)  # noqa: B019 - one store per process, lives as long as it
    def get(self, first_char: int, default=None):
        with self._lock:
            row = self._db.execute("SELECT entries FROM kanwa WHERE first_char = ?", (first_char,)).fetchone()
        return pickle.loads(row[0]) if row else default  # noqa: S301 - a file we wrote from pykakasi's own


def store_paths() -> list[Path]:
    """Where the converted dictionary may live, per pykakasi version: the user's cache directory,
    else the temp directory (a container whose home is read-only)."""
    from importlib.metadata import version

    name = f"pykakasi-{version('pykakasi')}-kanwa.sqlite3"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return [cache / "voice-clone-studio" / name, Path(tempfile.gettempdir()) / "voice-clone-studio" / name]


def build_store(dest: Path) -> Path:
    """Convert pykakasi's dictionary into `dest` in a child process (atomically; about a second)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=dest.parent, prefix=dest.name, suffix=".part")
    os.close(fd)
    try:
        os.unlink(partial)  # sqlite creates the file itself
        subprocess.run([sys.executable, "-c", _BUILD_SCRIPT, partial], check=True, capture_output=True,
                       timeout=BUILD_TIMEOUT_S)
        os.replace(partial, dest)
    finally:
        Path(partial).unlink(missing_ok=True)
    return dest


def use_compact_dictionary() -> bool:
    """Point pykakasi at the SQLite copy (building it if needed). Call before pykakasi.kakasi().

    Returns False, leaving pykakasi to load its own dictionary, if the copy cannot be made.
    """
    from pykakasi.kanji import Kanwa

    if isinstance(Kanwa._shared_state.get("_jisyo_table"), KanwaStore):
        return True
    for path in store_paths():
        try:
            if not path.exists():
                build_store(path)
            store = KanwaStore(path)
            store.get(ord("漢"))  # fails here, not mid-sentence, if the file is unreadable
        except (OSError, sqlite3.Error, subprocess.SubprocessError) as err:
            log.warning("kanji dictionary copy at %s unavailable (%s)", path, type(err).__name__)
            continue
        Kanwa._shared_state["_jisyo_table"] = store  # pykakasi's Kanwa is a Borg: every instance sees it
        return True
    log.warning("pykakasi will load its whole kanji dictionary into memory (about 120 MiB)")
    return False
