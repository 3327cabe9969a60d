"""Download a finished ModelsLab result: first URL that answers, size-capped, audio-checked.

Links come only from the API's response (never from a visitor), must be http(s), and https unless
the API itself is plain http (a local emulator). A link that 404s right after the job finished is
retried for a few seconds: "future links can appear before the object is readable".
"""

from __future__ import annotations

import logging
import os
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import requests
import soundfile

from components.audio.ffmpeg import find_ffmpeg
from components.audio.sniff import sniff_container
from components.errors import AudioInputError, DownloadError

log = logging.getLogger(__name__)

DECODE_CHECK_TIMEOUT_S = 30.0
"""An ffmpeg probe of an MP4/AAC result that takes longer than this counts as undecodable."""
NOT_READY_GRACE_S = 8.0
NOT_READY_PAUSE_S = 0.5
CHUNK = 64 * 1024

# Leading bytes of the audio containers an API could return.
_AUDIO_MAGIC = (b"RIFF", b"ID3", b"OggS", b"fLaC", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2", b"\xff\xf1", b"\xff\xf9")


def split_url(url: str) -> tuple[str, str]:
    """(lower-case scheme, host[:port]) of a URL from an API body; ("", "") if it does not parse."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. "http://[" (an unclosed IPv6 bracket)
        return "", ""
    return parts.scheme.lower(), parts.netloc.lower()


def looks_like_audio(head: bytes) -> bool:
    """True for WAV, MP3, OGG, FLAC, AAC/ADTS or MP4/M4A bytes."""
    return head.startswith(_AUDIO_MAGIC) or head[4:8] == b"ftyp"


def named_for_content(dest: Path, head: bytes) -> Path:
    """`dest` with the extension its bytes call for (players, and Gradio's playability check, go by
    the name); unchanged when the bytes do not say."""
    try:
        container = sniff_container(head)
    except AudioInputError:
        return dest
    container = {"mp4": "m4a", "mov": "m4a"}.get(container, container)  # audio only: an M4A
    return dest if container == "unknown" else dest.with_suffix("." + container)


class _NotReady(Exception):
    """The link exists in the response but its object is not readable yet (404/403)."""


class ResultDownloader:
    """Fetches result audio with the poll session's retries, a size cap and a content check."""

    def __init__(
        self,
        session: requests.Session,
        *,
        timeout: tuple[float, float],
        max_bytes: int,
        allow_http: bool,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._session = session
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._allow_http = allow_http
        self._sleep = sleep
        self._clock = clock

    def allowed(self, url: str) -> bool:
        scheme, host = split_url(url)
        return bool(host) and (scheme == "https" or (scheme == "http" and self._allow_http))

    def download(self, urls: Sequence[str], dest: Path, *, job_id: str | None = None) -> Path:
        """Write the first URL that yields audio to `dest`, renamed to the extension its bytes call
        for (an MP3 result becomes .mp3); return that path or raise DownloadError naming the problem."""
        job = f" for job {job_id}" if job_id else ""
        usable = [url for url in urls if self.allowed(url)]
        if not usable:
            reason = "no download link" if not urls else "only links we do not trust (not https)"
            raise DownloadError(f"ModelsLab finished{job} but sent {reason}. Try again.", job_id=job_id)
        deadline = self._clock() + NOT_READY_GRACE_S
        problems: dict[str, str] = {}
        while True:
            waiting = False
            for url in usable:
                try:
                    return self._fetch(url, dest)
                except _NotReady:
                    waiting = True
                    problems[url] = "not ready yet (404)"
                except DownloadError as err:
                    problems[url] = err.user_message
            if not waiting or self._clock() >= deadline:
                break
            self._sleep(NOT_READY_PAUSE_S)
        detail = next(iter(problems.values()), "no link answered")
        raise DownloadError(
            f"ModelsLab finished{job} but the audio could not be downloaded: {detail} "
            "Try again in a minute.",
            job_id=job_id,
        )

    def _fetch(self, url: str, dest: Path) -> Path:
        """Download one link to `dest` (atomically: a failed check leaves nothing behind)."""
        host = split_url(url)[1]
        try:
            with self._session.get(url, timeout=self._timeout, stream=True) as response:
                if response.status_code in (403, 404):
                    raise _NotReady()
                if response.status_code >= 400:
                    raise DownloadError(f"the link on {host} answered HTTP {response.status_code}.")
                declared = int(response.headers.get("Content-Length") or 0)
                if declared > self._max_bytes:
                    raise DownloadError(f"the file is {declared / 1e6:.0f} MB, over the {self._cap_mb} MB cap.")
                return self._stream_to(response, dest, host)
        except requests.exceptions.RequestException as err:
            log.debug("download from %s failed: %s", host, type(err).__name__)
            raise DownloadError(f"the link on {host} could not be reached.") from err

    def _stream_to(self, response: requests.Response, dest: Path, host: str) -> Path:
        partial = dest.with_name(dest.name + ".part")
        size, head = 0, b""
        try:
            with open(partial, "wb") as out:
                for chunk in response.iter_content(CHUNK):
                    if size == 0 and chunk:
                        head = chunk[:12]
                        if not looks_like_audio(head):
                            kind = "a web page" if chunk.lstrip()[:1] == b"<" else "something that is not audio"
                            raise DownloadError(f"the link on {host} returned {kind}.")
                    size += len(chunk)
                    if size > self._max_bytes:
                        raise DownloadError(f"the file is over the {self._cap_mb} MB cap.")
                    out.write(chunk)
            if size == 0:
                raise DownloadError(f"the link on {host} returned an empty file.")
            check_decodes(partial, host)
            final = named_for_content(dest, head)
            os.replace(partial, final)
            return final
        finally:
            partial.unlink(missing_ok=True)

    @property
    def _cap_mb(self) -> str:
        return f"{self._max_bytes / 1e6:g}"


def check_decodes(path: Path, host: str = "the API") -> None:
    """Raise DownloadError unless `path` really decodes to some audio.

    Leading magic bytes only say what a file claims to be; a truncated or corrupt WAV/MP3 would
    reach the player and fail there, silently. WAV, MP3, OGG and FLAC are read with libsndfile
    (in-process); MP4/AAC, which libsndfile cannot read, are probed with ffmpeg when it is installed.
    """
    undecodable = DownloadError(
        f"the file from {host} looks like audio but could not be decoded (it is corrupt or truncated)."
    )
    try:
        with soundfile.SoundFile(str(path)) as audio:
            if audio.samplerate <= 0 or audio.channels <= 0:
                raise undecodable
            decoded = audio.read(min(audio.frames, audio.samplerate) or 1024, dtype="float32")
        if len(decoded) == 0:
            raise undecodable
        return
    except DownloadError:
        raise
    except (soundfile.LibsndfileError, RuntimeError, ValueError, TypeError, OSError, EOFError) as err:
        with open(path, "rb") as head_file:
            head = head_file.read(12)
        if not _needs_ffmpeg(head):
            log.debug("result from %s does not decode: %s", host, type(err).__name__)
            raise undecodable from err
    ffmpeg = find_ffmpeg()
    if ffmpeg is None:
        log.warning("ffmpeg is not installed: an MP4/AAC result from %s was not checked", host)
        return
    try:
        probe = subprocess.run(  # an argument list, never a shell string
            [ffmpeg, "-nostdin", "-v", "error", "-i", str(path), "-t", "1", "-f", "null", "-"],
            capture_output=True, timeout=DECODE_CHECK_TIMEOUT_S, check=False,
        )
    except subprocess.TimeoutExpired as err:
        raise undecodable from err
    if probe.returncode != 0:
        raise undecodable


def _needs_ffmpeg(head: bytes) -> bool:
    """MP4/M4A (ftyp) and raw ADTS AAC: containers libsndfile does not read."""
    return head[4:8] == b"ftyp" or head[:2] in (b"\xff\xf1", b"\xff\xf9")
