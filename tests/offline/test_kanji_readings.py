"""The on-disk copy of pykakasi's kanji dictionary: same readings, built once, safe fallbacks."""

from __future__ import annotations

import pickle

import pytest
from pykakasi.kanji import Kanwa
from pykakasi.properties import Configurations

from components.offline import kanji_readings
from components.offline.kanji_readings import (
    KanwaStore,
    build_store,
    use_compact_dictionary,
)


@pytest.fixture
def fresh_pykakasi(monkeypatch):
    """pykakasi's shared (Borg) table reset for the test and restored after it."""
    monkeypatch.setitem(Kanwa._shared_state, "_jisyo_table", None)


def test_every_entry_reads_back_exactly_as_pykakasis_own(tmp_path):
    store = KanwaStore(build_store(tmp_path / "kanwa.sqlite3"))
    with open(Configurations.dictpath(Configurations.jisyo_kanwa), "rb") as source:
        original = pickle.load(source)
    assert len(original) > 6000
    assert all(store.get(key) == entries for key, entries in original.items())
    assert store.get(ord("a")) is None and store.get(ord("a"), "none") == "none"


def test_pykakasi_reads_japanese_through_the_copy(tmp_path, monkeypatch, fresh_pykakasi):
    import pykakasi

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert use_compact_dictionary()
    assert isinstance(Kanwa._shared_state["_jisyo_table"], KanwaStore)
    assert list((tmp_path / "voice-clone-studio").glob("*.sqlite3"))
    hira = "".join(part["hira"] for part in pykakasi.kakasi().convert("東京都で日本語を勉強します"))
    assert hira == "とうきょうとでにほんごをべんきょうします"
    assert not list((tmp_path / "voice-clone-studio").glob("*.part"))


def test_an_unwritable_cache_falls_back_to_the_next_place_then_to_pykakasi(tmp_path, monkeypatch, fresh_pykakasi):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    usable = tmp_path / "usable" / "kanwa.sqlite3"
    monkeypatch.setattr(kanji_readings, "store_paths", lambda: [blocker / "kanwa.sqlite3", usable])
    assert use_compact_dictionary() and usable.exists()

    monkeypatch.setitem(Kanwa._shared_state, "_jisyo_table", None)
    monkeypatch.setattr(kanji_readings, "store_paths", lambda: [blocker / "kanwa.sqlite3"])
    assert not use_compact_dictionary()
    assert Kanwa._shared_state["_jisyo_table"] is None  # pykakasi will load its own, as before


def test_a_corrupt_copy_is_not_used(tmp_path, monkeypatch, fresh_pykakasi):
    corrupt = tmp_path / "kanwa.sqlite3"
    corrupt.write_bytes(b"this is not a database" * 100)
    monkeypatch.setattr(kanji_readings, "store_paths", lambda: [corrupt])
    assert not use_compact_dictionary()
