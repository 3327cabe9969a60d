"""Exception hierarchy: every class carries a `user_message` a person can act on.

ui.py is the single place that turns these into `gr.Error`; anything else is logged and
shown as a generic message, so tracebacks and secrets never reach the page.
"""

from __future__ import annotations


class VoiceCloneError(Exception):
    """Base class. `user_message` is a plain sentence that says what happened and what to do."""

    def __init__(self, user_message: str):
        super().__init__(user_message)
        self.user_message = user_message


class InputError(VoiceCloneError):
    """The request itself is unusable (empty text, unknown language, no voice given...)."""


class AudioInputError(VoiceCloneError):
    """The reference recording cannot be used: unreadable, too short, silent, too big..."""


class FfmpegMissingError(AudioInputError):
    """ffmpeg is not installed, so compressed formats cannot be decoded."""


class EngineUnavailableError(VoiceCloneError):
    """The offline engine cannot run on this machine (a package or its data is missing)."""


class RateLimitedError(VoiceCloneError):
    """This visitor made too many generations in a short time (the app's own limit)."""

    def __init__(self, user_message: str, retry_after_s: float):
        super().__init__(user_message)
        self.retry_after_s = retry_after_s


class ServerKeyBudgetError(VoiceCloneError):
    """The server's own key has made its generations for this hour (SERVER_KEY_MAX_PER_HOUR)."""

    def __init__(self, user_message: str, retry_after_s: float | None):
        super().__init__(user_message)
        self.retry_after_s = retry_after_s
        """Seconds until there is room again; None when this request could never fit."""


class ApiError(VoiceCloneError):
    """The ModelsLab API could not give us a result."""

    def __init__(
        self,
        user_message: str,
        *,
        status_code: int | None = None,
        server_message: str | None = None,
        job_id: str | None = None,
    ):
        super().__init__(user_message)
        self.status_code = status_code
        self.server_message = server_message
        self.job_id = job_id


class ApiAuthError(ApiError):
    """401/403 or an "invalid API key" body."""


class ApiRateLimitError(ApiError):
    """429 or the legacy "spam filter" body, still failing after our bounded retries."""


class ApiServerError(ApiError):
    """5xx from the API after our bounded retries."""


class ApiProtocolError(ApiError):
    """The API answered with something we cannot read (HTML, truncated JSON, no status)."""


class ApiConnectionError(ApiError):
    """The API could not be reached (refused, DNS, reset) after our retries."""


class ApiTimeoutError(ApiConnectionError):
    """A request timed out, or a job missed its deadline (then `job_id` says which job)."""


class JobFailedError(ApiError):
    """The API accepted the job but reported it as failed/error."""


class DownloadError(ApiError):
    """The finished audio could not be downloaded (expired link, too big, not audio)."""
