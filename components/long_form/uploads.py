"""A reference sent once per clip, not once per part: its base64_to_url URL, cached by sample and key.

The URL lives 24 h at ModelsLab; it is reused for 23 h, so a URL is never sent in its last hour.
Keyed by the key too: one account's upload is never spent from another's requests.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from components.audio.data_uri import DataUri
from components.audio.prepared import PreparedReference

REUSE_FOR_S = 23 * 3600.0
MAX_ENTRIES = 256


class ReferenceUrls:
    """Thread-safe; one per server. `upload(data_uri, api_key) -> url` does the API call."""

    def __init__(self, upload: Callable[[DataUri, str], str], clock: Callable[[], float] = time.monotonic):
        self._upload = upload
        self._clock = clock
        self._lock = threading.Lock()
        self._urls: OrderedDict[tuple[str, str], tuple[str, float]] = OrderedDict()

    def url_for(self, reference: PreparedReference, api_key: str) -> str:
        """The sample's URL, uploading it first if this key has no fresh one. Raises ApiError."""
        key = (hashlib.sha256(reference.wav_bytes).hexdigest(), hashlib.sha256(api_key.encode()).hexdigest())
        now = self._clock()
        with self._lock:
            cached = self._urls.get(key)
            if cached and now - cached[1] < REUSE_FOR_S:
                return cached[0]
        url = self._upload(reference.data_uri(), api_key)
        with self._lock:
            self._urls[key] = (url, now)
            self._urls.move_to_end(key)
            while len(self._urls) > MAX_ENTRIES:
                self._urls.popitem(last=False)
        return url

    def forget(self, url: str) -> None:
        """Drop a URL the API could not fetch (expired or deleted early): the next clip uploads again."""
        with self._lock:
            for key in [key for key, (cached, _) in self._urls.items() if cached == url]:
                del self._urls[key]
