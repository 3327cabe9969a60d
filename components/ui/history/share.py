"""A link to one take: it opens the page with that clip, its details and the settings that made it.

It uses Gradio's deep links (`/?deep_link=<id>` loads a saved copy of the page's components), but
writes the saved copy itself instead of using gr.DeepLinkButton: Gradio's button saves every
component as the session last sent it, which here would include the visitor's own API key, their
voice recording and their list of takes, all handed to whoever opens the link. This copy starts
from the page as a new visitor sees it and sets only the take's own fields.
"""

from __future__ import annotations

import copy
from pathlib import Path

import orjson
from gradio.data_classes import FileData
from gradio.route_utils import create_url_safe_hash
from gradio_client.utils import encode_file_path
from pydantic import BaseModel

from components.ui.history.takes import Take

SHARED_FIELDS = ("text", "language", "emotion", "voice_id", "backend", "output_audio", "details")
"""elem_ids a shared link fills in; everything else is as a new visitor sees it."""
DEEP_LINKS = "deep_links"
"""Gradio reads `<upload folder>/deep_links/<id>/state.json` for `/?deep_link=<id>`."""


def shared_values(take: Take) -> dict[str, object]:
    """What the link shows, by elem_id. The voice sample is never shared: it is the sender's voice."""
    clip = FileData(path=take.clip, orig_name=take.clip_name)
    clip.url = f"/gradio_api/file={encode_file_path(take.clip)}"
    return {
        "text": take.text,
        "language": take.language,
        "emotion": take.emotion,
        "voice_id": take.voice_id,
        "backend": take.backend_choice,
        "output_audio": clip.model_dump(),
        "details": take.details,
    }


def write_deep_link(
    page_components: list[dict], take: Take, upload_folder: Path, shown: dict[str, dict] | None = None
) -> str:
    """Save the page with this take on it where Gradio looks for deep links; returns the link's id.

    `shown` adds updates for other parts by elem_id (`{"voice_match": gr.update(value=..., visible=...)}`).
    The id is a hash of the content (as Gradio makes its own), so sharing a take twice gives the
    same link, and no one can guess another take's link.
    """
    values = shared_values(take)
    components = copy.deepcopy(page_components)
    for component in components:
        props = component.get("props") or {}
        elem_id = props.get("elem_id")
        if elem_id in values:
            props["value"] = values[elem_id]
        for name, update in (shown or {}).items():
            if elem_id == name:
                props.update({key: value for key, value in update.items() if key in ("value", "visible")})
    data = orjson.dumps(
        components,
        option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_PASSTHROUGH_DATETIME,
        default=_as_json,
    )
    link = create_url_safe_hash(data)
    folder = Path(upload_folder) / DEEP_LINKS / link
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "state.json").write_bytes(data)
    return link


def _as_json(value):
    """The same fallback Gradio uses when it serves its config (i18n keys become marker strings)."""
    return value.model_dump() if isinstance(value, BaseModel) else str(value)
