"""The API's description in plain English, while the page itself stays translated.

`localise` (ui.i18n) turns the page's labels into Gradio i18n keys so the browser can show them in
the visitor's language. Gradio builds its API description (`/gradio_api/info`, gradio_client's
`view_api()`, the MCP server's tool list) from the same component config, so every parameter's
label reached API callers as a translation object (`{"key": ..., "_type": "translation_metadata"}`)
instead of words, and returns without a label were named after internal component ids
(`value_67`). `StudioBlocks` overrides `get_api_info`, the hook Gradio's routes and MCP server read
(routes.py keeps subclass overrides of it working), and gives callers English words instead.
"""

from __future__ import annotations

import json

import gradio as gr
from gradio.i18n import I18nData

from components.ui.i18n import DEFAULT_LOCALE, page_i18n
from components.ui.i18n.localise import MARKER

RETURN_LABELS = {
    "/clone": ("Audio", "Details"),
    "/voices": ("Voices",),
    "/save_voice": ("Voice id", "Details"),
}
"""Names for the public endpoints' returns, in order, as DESIGN.md calls them: `/clone` returns
`(audio, details)`; the page's long label for the player ("AI-generated voice (synthetic speech; the
file says so too)") read as `aigenerated_voice_synthetic_speech_the_file_says_so_too` in view_api()."""
TRANSLATION_TYPE = "translation_metadata"


class StudioBlocks(gr.Blocks):
    """gr.Blocks whose API description names every parameter and return in English."""

    def get_api_info(self, all_endpoints: bool = False, page: str | None = None):
        return plain_api_info(super().get_api_info(all_endpoints=all_endpoints, page=page))


def plain_api_info(info: dict) -> dict:
    """`info` with each i18n label replaced by its English text, unlabelled returns named."""
    for group in ("named_endpoints", "unnamed_endpoints"):
        for name, endpoint in info.get(group, {}).items():
            for parameter in endpoint.get("parameters", []):
                parameter["label"] = english(parameter.get("label"))
            names = RETURN_LABELS.get(name, ())
            for index, returned in enumerate(endpoint.get("returns", [])):
                label = english(returned.get("label"))
                given = names[index] if index < len(names) else None
                returned["label"] = given or label
    return info


def english(label):
    """A label as English words: an i18n key (object or its JSON form) becomes the text it stands for."""
    if isinstance(label, I18nData):
        key = label.key
    elif isinstance(label, dict) and TRANSLATION_TYPE in (label.get("_type"), label.get("__type__")):
        key = str(label.get("key", ""))
    elif isinstance(label, str) and label.startswith(MARKER):  # the form a value prop takes
        try:
            key = str(json.loads(label[len(MARKER):]).get("key", ""))
        except (ValueError, AttributeError):
            return label
    else:
        return label
    return page_i18n().translations.get(DEFAULT_LOCALE, {}).get(key, key)
