"""A ModelsLab account's voice library: upload a voice, list the voices, turn a sample into a URL.

Runs on the shared ModelsLabClient's transport (its sessions, retries, timeouts and base URL). The
retry rule is the submit rule: voice_upload creates a voice on the account, so it is repeated only
when the server provably did nothing; voice_list and base64_to_url are safe to repeat.

Where each endpoint lives (reference/modelslab-api.md §1–2, anchors §1.3): voice_list and
base64_to_url exist on v6 only, also for enterprise keys. Enterprise voice_upload takes a URL to an
MP3/WAV, so the sample first goes through v6 base64_to_url (a link valid 24 h; the stored voice
lasts); v6 voice_upload takes the sample itself as base64. There is no endpoint to delete a voice.
"""

from __future__ import annotations

import logging

from components.audio.data_uri import DataUri
from components.modelslab.client import ModelsLabClient
from components.modelslab.responses import checked_payload
from components.modelslab.voice_types import (
    VOICE_KINDS,
    AccountVoice,
    parse_uploaded_url,
    parse_voice_list,
    parse_voice_upload,
)

log = logging.getLogger(__name__)

__all__ = ["VOICE_KINDS", "AccountVoice", "ModelsLabVoices"]


def _parser(parse, *extra):
    """A `parse` for ModelsLabClient.post: HTTP status checks first, then the endpoint's own body."""

    def parse_answer(response, api_key: str, stage: str):
        return parse(checked_payload(response, api_key, stage), api_key, *extra)

    return parse_answer


class ModelsLabVoices:
    """voice_upload, voice_list and base64_to_url for any key (passed per call, never stored)."""

    def __init__(self, client: ModelsLabClient):
        self.client = client

    def upload(self, *, name: str, language: str, sample: DataUri, api_key: str, tier: str | None = None) -> str:
        """Store `sample` (a WAV/MP3 data URI, 4–30 s) as a voice of the key's account.

        Args:
            name: the voice's name on the account.
            language: the language spoken in the sample, in the API's spelling ('english').
            sample: the prepared reference as a data URI.
            api_key: the account's key.
            tier: 'enterprise' (v1, takes a URL: the sample goes through base64_to_url first) or
                'standard' (v6, takes base64); the client's tier when None.

        Returns:
            The new voice id, which text_to_audio takes as `voice_id`.

        Raises:
            ApiError: (a subclass naming the problem) the API refused or could not be reached.
        """
        tier = tier or self.client.tier
        body: dict = {"key": api_key, "name": name, "language": language}
        if tier == "enterprise":
            body["init_audio"] = self.base64_to_url(sample, api_key)
        else:
            body["init_audio"], body["base64"] = sample, True
        voice_id = self.client.post(
            self.client.endpoint("voice_upload", tier), body, api_key,
            stage="voice upload", repeatable=False, parse=_parser(parse_voice_upload),
        )
        log.info("ModelsLab voice uploaded (%s tier): %s", tier, voice_id)
        return voice_id

    def list_voices(self, api_key: str, kind: str = "manual") -> tuple[AccountVoice, ...]:
        """The account's voices of one `kind` ('manual': uploaded ones; 'trained': ModelsLab's own)."""
        if kind not in VOICE_KINDS:
            raise ValueError(f"kind must be one of {VOICE_KINDS}, not {kind!r}")
        return self.client.post(
            self.client.endpoint("voice_list", "standard"), {"key": api_key, "type": kind}, api_key,
            stage="voice list", repeatable=True, parse=_parser(parse_voice_list, kind),
        )

    def base64_to_url(self, sample: DataUri, api_key: str) -> str:
        """A temporary (24 h) URL on ModelsLab's storage holding `sample`."""
        return self.client.post(
            self.client.endpoint("base64_to_url", "standard"), {"key": api_key, "init_audio": sample},
            api_key, stage="sample upload", repeatable=True, parse=_parser(parse_uploaded_url),
        )

