"""A base64 data URI as its own type, so a request body can carry it without re-scanning it."""

from __future__ import annotations

import base64
import re

_MIME_TYPE = re.compile(r"[A-Za-z0-9.+-]+/[A-Za-z0-9.+-]+")


class DataUri(str):
    """'data:<mime type>;base64,<payload>', made by `DataUri.of` from bytes.

    Built that way it is ASCII with no quote, backslash or control character: nothing JSON escapes,
    so `modelslab.json_body` splices it into a body as is instead of scanning its ~1 MB again.
    """

    __slots__ = ()

    @classmethod
    def of(cls, mime_type: str, data: bytes) -> DataUri:
        if not _MIME_TYPE.fullmatch(mime_type):
            raise ValueError(f"not a MIME type: {mime_type!r}")
        return cls(f"data:{mime_type};base64," + base64.b64encode(data).decode("ascii"))
