"""Keep API keys out of logs, messages and files.

Every key the app handles (the server's and any a visitor types) is registered here; a logging
filter on the root handlers replaces it with a placeholder in every record, and `redact()` cleans
any text (server messages, exception texts) before it is shown or stored.
"""

from __future__ import annotations

import logging
import threading

PLACEHOLDER = "[redacted]"
_MIN_SECRET_LEN = 6  # shorter strings would redact ordinary words
_MAX_REMEMBERED = 1024

_lock = threading.Lock()
_secrets: dict[str, None] = {}  # insertion-ordered set, bounded


def register_secret(secret: str) -> None:
    """Remember a key so it is redacted wherever it appears later."""
    secret = (secret or "").strip()
    if len(secret) < _MIN_SECRET_LEN:
        return
    with _lock:
        _secrets.pop(secret, None)
        _secrets[secret] = None
        while len(_secrets) > _MAX_REMEMBERED:
            _secrets.pop(next(iter(_secrets)))


def redact(text: str, *extra_secrets: str) -> str:
    """Return `text` with every registered (and every given) secret replaced."""
    if not text:
        return text
    with _lock:
        known = list(_secrets)
    for secret in (*known, *extra_secrets):
        if secret and len(secret) >= _MIN_SECRET_LEN and secret in text:
            text = text.replace(secret, PLACEHOLDER)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (args included) with secrets removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error handling
            return True
        cleaned = redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks are formatted later from exc_info; pre-render them redacted.
            formatter = logging.Formatter()
            record.exc_text = redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


def install_log_redaction() -> None:
    """Attach the filter to every handler of the root logger (call after logging is configured)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
