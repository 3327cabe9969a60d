"""Settings from environment variables, and the LANGUAGES / EMOTIONS tables (one place).

This is the only module that reads os.environ.
"""

from __future__ import annotations

import ipaddress
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
DEFAULT_SERVER_KEY_MAX_PER_HOUR = 200
"""A room of 40 people making a few clips each fits; a link shared with the world cannot drain the key."""
DEFAULT_BROWSER_STATE_SECRET = "voice-clone-studio-browser-state-v1"
"""Used when BROWSER_STATE_SECRET is unset. Gradio sends this secret to the page (it encrypts the
browser's copy client-side), so it hides nothing from the visitor; it must only stay the same across
restarts, or saved voices can no longer be read."""


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


def _env_count(env: dict[str, str], name: str, default: int) -> int:
    """A whole number >= 0 (0 usually meaning 'off'); empty -> default."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise ValueError(f"{name} must be a whole number >= 0, got {raw!r}")
    return int(raw)


def _env_switch(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in ("0", "1", "false", "true", "off", "on", "no", "yes"):
        raise ValueError(f"{name} must be 0 or 1, got {raw!r}")
    return raw in ("1", "true", "on", "yes")


def parse_trusted_proxies(raw: str) -> tuple[str, ...]:
    """'10.0.0.0/8, 127.0.0.1' -> ('10.0.0.0/8', '127.0.0.1'), each checked as an address or network."""
    entries = tuple(item.strip() for item in raw.split(",") if item.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as err:
            raise ValueError(f"TRUSTED_PROXIES: {entry!r} is not an IP address or CIDR network") from err
    return entries


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
    max_text_chars: int = 10000
    """Longest text accepted; long texts are split into parts (components/script)."""
    modelslab_chunk_chars: int = 500
    """Longest part of a text sent to ModelsLab in one request (split at sentence/clause boundaries)."""
    modelslab_max_parallel: int = 5
    """Parts of one clip in flight at ModelsLab at once: the smallest plan's queue limit (5 queued
    requests on "Pay as you go"; Standard 10, Unlimited Premium 15). Over it, the API answers 429."""
    rate_limit_per_minute: int = 10
    """Generations allowed per visitor per minute (0 disables the limit)."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses/CIDRs of proxies whose X-Forwarded-For names the visitor (TRUSTED_PROXIES)."""
    space_id: str = ""
    """Set on a Hugging Face Space (SPACE_ID): its proxy is trusted to name the visitor."""
    server_key_max_per_hour: int = DEFAULT_SERVER_KEY_MAX_PER_HOUR
    """Generations (parts counted) on the server's own key per hour, all visitors together; 0 = no cap."""
    mcp_server: bool = True
    """Serve the MCP server at /gradio_api/mcp/ (MCP_SERVER=0 turns it off)."""
    server_name: str = "127.0.0.1"
    server_port: int = 7860
    browser_state_secret: str = field(default=DEFAULT_BROWSER_STATE_SECRET, repr=False)
    """What Gradio's BrowserState encrypts saved voices with in the browser (BROWSER_STATE_SECRET).
    Fixed, so they survive a restart; changing it makes voices saved before unreadable."""

    @property
    def has_server_key(self) -> bool:
        return bool(self.api_key)

    @property
    def on_space(self) -> bool:
        """Running on a Hugging Face Space (SPACE_ID is set there)."""
        return bool(self.space_id)

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
            max_text_chars=int(_env_float(env, "MAX_TEXT_CHARS", 10000)),
            modelslab_chunk_chars=max(50, int(_env_float(env, "MODELSLAB_CHUNK_CHARS", 500))),
            modelslab_max_parallel=max(1, int(_env_float(env, "MODELSLAB_MAX_PARALLEL", 5))),
            rate_limit_per_minute=int(env.get("RATE_LIMIT_PER_MINUTE", "10").strip() or 10),
            trusted_proxies=parse_trusted_proxies(env.get("TRUSTED_PROXIES", "")),
            space_id=env.get("SPACE_ID", "").strip(),
            server_key_max_per_hour=_env_count(env, "SERVER_KEY_MAX_PER_HOUR", DEFAULT_SERVER_KEY_MAX_PER_HOUR),
            mcp_server=_env_switch(env, "MCP_SERVER", True),
            server_name=env.get("GRADIO_SERVER_NAME", "").strip() or "127.0.0.1",
            server_port=int(env.get("GRADIO_SERVER_PORT", "").strip() or 7860),
            browser_state_secret=env.get("BROWSER_STATE_SECRET", "").strip() or DEFAULT_BROWSER_STATE_SECRET,
        )
