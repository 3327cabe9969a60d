"""Which language each open page speaks, so that what the server says (errors, the sample report,
details, the list of takes) is in the same language as the page around it.

The page tells the server its language when it loads and whenever the visitor switches. It is
kept per page session (Gradio's session hash), not in a cookie: the page often runs inside an
iframe on huggingface.co, where browsers refuse third-party cookies. A request from a page that
has not said (an API call, a page still loading) falls back to the browser's Accept-Language,
then English. Nothing here is shared between visitors: one entry per open page, forgotten when
the page closes, and the oldest dropped past a bound.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from components.ui.i18n.catalogue import DEFAULT_LOCALE, supported_locale

MAX_PAGES = 20_000
"""Open pages remembered at once (a few dozen bytes each); the oldest are forgotten first."""


def accepted_locale(header: str | None) -> str | None:
    """The first language in an Accept-Language header that the app speaks ('fr-CH,fr;q=0.9' -> 'fr')."""
    ranked = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag))
    for _, _, tag in sorted(ranked):
        locale = supported_locale(tag)
        if locale:
            return locale
    return None


class VisitorLocales:
    """session hash -> locale, for the pages currently open."""

    def __init__(self, capacity: int = MAX_PAGES):
        self._capacity = capacity
        self._by_session: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, request, requested: str | None) -> str:
        """Store the page's language (if the app speaks it); returns the language now in use."""
        locale = supported_locale(requested)
        session = _session(request)
        if locale is None:
            return self.locale(request)
        if session:
            with self._lock:
                self._by_session[session] = locale
                self._by_session.move_to_end(session)
                while len(self._by_session) > self._capacity:
                    self._by_session.popitem(last=False)
        return locale

    def forget(self, request) -> None:
        session = _session(request)
        if session:
            with self._lock:
                self._by_session.pop(session, None)

    def locale(self, request) -> str:
        """The language to answer this request in."""
        session = _session(request)
        if session:
            with self._lock:
                known = self._by_session.get(session)
            if known:
                return known
        headers = getattr(request, "headers", None) or {}
        return accepted_locale(headers.get("accept-language")) or DEFAULT_LOCALE

    def __len__(self) -> int:
        return len(self._by_session)


def _session(request) -> str | None:
    session = getattr(request, "session_hash", None) if request is not None else None
    return session if isinstance(session, str) and session else None
