"""The prepared-reference cache: an LRU bounded by count and bytes, and one decode per new file."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from components.audio.prepared import PreparedReference


class ReferenceCache:
    """Thread-safe LRU of prepared references, bounded by entry count and by their total footprint."""

    def __init__(self, max_entries: int = 32, max_bytes: int = 64 << 20):
        self._items: OrderedDict[tuple, PreparedReference] = OrderedDict()
        self._lock = threading.Lock()
        self._preparing: dict[tuple, list] = {}
        """key -> [lock, holders]: the inputs being prepared right now."""
        self._bytes = 0
        self.max_entries, self.max_bytes = max_entries, max_bytes

    def get(self, key: tuple) -> PreparedReference | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple, item: PreparedReference) -> None:
        with self._lock:
            if key in self._items:
                self._bytes -= self._items.pop(key).footprint_bytes
            self._items[key] = item
            self._bytes += item.footprint_bytes
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _, old = self._items.popitem(last=False)
                self._bytes -= old.footprint_bytes

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    @contextmanager
    def one_at_a_time(self, key: tuple) -> Iterator[None]:
        """Held while preparing `key`: visitors who send the same new file at once wait for the first
        one's result instead of each decoding it again (other files are not held up)."""
        with self._lock:
            entry = self._preparing.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._lock:
                entry[1] -= 1
                if entry[1] == 0:
                    del self._preparing[key]

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
