"""Settings from environment variables, and the LANGUAGES / EMOTIONS tables (one place).

This is the only module that reads os.environ.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

# The 16 languages of the enterprise voice-cloning endpoint, in the API's own spelling.
LANGUAGES: tuple[str, ...] = (
    "english",
    "arabic",
    "chinese",
    "spanish",
    "german",
    "czech",
    "dutch",
    "french",
    "hindi",
    "hungarian",
    "italian",
    "japanese",
    "korean",
    "polish",
    "russian",
    "turkish",
)

EMOTIONS: tuple[str, ...] = ("neutral", "happy", "sad", "angry", "dull")

BACKEND_CHOICES: tuple[str, ...] = ("auto", "modelslab", "local")
TIERS: tuple[str, ...] = ("enterprise", "standard")

DEFAULT_BASE_URL = "https://modelslab.com"


def language_label(name: str) -> str:
    """'english' -> 'English' for dropdown labels (the value stays the API's spelling)."""
    return name.title()


def _env_float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as err:
        raise ValueError(f"{name} must be a number, got {raw!r}") from err
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {raw!r}")
    return value


def _env_choice(env: dict[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env.get(name, "").strip().lower() or default
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def parse_auth(raw: str) -> list[tuple[str, str]]:
    """'user:pw[,user:pw...]' -> [(user, pw), ...]; empty -> []."""
    pairs = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        user, sep, password = item.partition(":")
        if not sep or not user or not password:
            raise ValueError("APP_AUTH must look like user:password[,user:password...]")
        pairs.append((user, password))
    return pairs


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable, read once at start-up."""

    api_key: str = field(default="", repr=False)
    """Server-side ModelsLab key (a Space secret). Never sent to the browser, never logged."""
    base_url: str = DEFAULT_BASE_URL
    """Scheme and host of the API; endpoints are built below it."""
    tier: str = "enterprise"
    """'enterprise' (v1 endpoints) or 'standard' (v6 endpoints)."""
    voice_backend: str = "auto"
    """'auto' (ModelsLab when a key is available, else offline), 'modelslab' or 'local'."""
    auth: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    """Login pairs for a shared link (APP_AUTH); empty means no login."""
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0
    job_deadline_s: float = 600.0
    """How long we wait for a queued ModelsLab job before giving up (the message names the job id)."""
    max_download_mb: float = 50.0
    """Cap on the size of a downloaded result."""
    max_upload_mb: float = 25.0
    """Cap on a reference file (checked before decoding, and Gradio's max_file_size)."""
    target_rate: int = 24000
    """Sample rate of the prepared reference sent to the API."""
    max_text_chars: int = 2500
    """Longest text accepted (the API's documented text_to_speech limit)."""
    rate_limit_per_minute: int = 10
    """Generations allowed per visitor per minute (0 disables the limit)."""
    server_name: str = "127.0.0.1"
    server_port: int = 7860

    @property
    def has_server_key(self) -> bool:
        return bool(self.api_key)

    @property
    def offline_is_default(self) -> bool:
        """True when a visitor who sets nothing gets the offline engine (so it is worth warming up)."""
        return self.voice_backend == "local" or (self.voice_backend == "auto" and not self.has_server_key)

    @property
    def allows_plain_http(self) -> bool:
        """Result URLs may be http only when the API itself is http (a local emulator)."""
        return self.base_url.lower().startswith("http://")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Build Settings from os.environ (or a given mapping, for tests). Raises ValueError on bad values."""
        env = dict(os.environ if env is None else env)
        base_url = env.get("MODELSLAB_BASE_URL", "").strip().rstrip("/") or DEFAULT_BASE_URL
        if not base_url.lower().startswith(("http://", "https://")):
            raise ValueError(f"MODELSLAB_BASE_URL must start with http:// or https://; got {base_url!r}")
        return cls(
            api_key=env.get("MODELSLAB_API_KEY", "").strip(),
            base_url=base_url,
            tier=_env_choice(env, "MODELSLAB_TIER", "enterprise", TIERS),
            voice_backend=_env_choice(env, "VOICE_BACKEND", "auto", BACKEND_CHOICES),
            auth=tuple(parse_auth(env.get("APP_AUTH", ""))),
            connect_timeout_s=_env_float(env, "MODELSLAB_CONNECT_TIMEOUT", 10.0),
            read_timeout_s=_env_float(env, "MODELSLAB_READ_TIMEOUT", 60.0),
            job_deadline_s=_env_float(env, "MODELSLAB_JOB_DEADLINE", 600.0),
            max_download_mb=_env_float(env, "MODELSLAB_MAX_DOWNLOAD_MB", 50.0),
            max_upload_mb=_env_float(env, "MAX_UPLOAD_MB", 25.0),
            target_rate=int(_env_float(env, "REFERENCE_SAMPLE_RATE", 24000)),
            max_text_chars=int(_env_float(env, "MAX_TEXT_CHARS", 2500)),
            rate_limit_per_minute=int(env.get("RATE_LIMIT_PER_MINUTE", "10").strip() or 10),
            server_name=env.get("GRADIO_SERVER_NAME", "").strip() or "127.0.0.1",
            server_port=int(env.get("GRADIO_SERVER_PORT", "").strip() or 7860),
        )
