"""The page's fixed wording and the small markdown builders that turn results into it."""

from __future__ import annotations

from components.settings import Settings

TITLE = "# Voice Clone Studio\nRecord or upload a short voice sample, type a text, and hear it in that voice."
GENERIC_FAILURE = (
    "Something went wrong on the server while generating. Please try again; "
    "if it keeps happening, tell the person who shared this link."
)
ENGINE_LOADING = (
    "_Offline voice is loading in the background; the first offline clip may take a few seconds._"
)
OUTPUT_LABEL = "AI-generated voice (synthetic speech; the file says so too)"
DETAILS_PLACEHOLDER = "Details of each clip appear here."


def describe_backend(settings: Settings) -> str:
    """The banner under the title: which engine this page will use, in plain words."""
    if settings.voice_backend == "local":
        return "**Offline mode** — voices are made on this server with approximate voice matching (not cloning)."
    if settings.has_server_key or settings.voice_backend == "modelslab":
        return "**ModelsLab voice cloning** — your sample is sent to the ModelsLab API."
    return (
        "**No API key on this server: offline mode** — approximate voice matching on this server. "
        "Enter your own ModelsLab key under *Advanced* for real cloning."
    )


def api_key_label(settings: Settings) -> str:
    """The visitor's own key box: required without a server key, optional (their own credits) with one."""
    if settings.has_server_key:
        return "Your own ModelsLab API key (optional: your clips then use your credits, not this link's; never stored)"
    return "Your ModelsLab API key (used for this session only, never stored)"


def reference_report(prepared) -> str:
    """What preparing the sample did, shown under the recorder."""
    lines = [f"**Sample ready: {prepared.duration_s:.1f} s of speech** (from {prepared.source})."]
    lines.extend(f"- {sentence}" for sentence in prepared.report)
    return "\n".join(lines)


def cannot_use(what: str, reason: str) -> str:
    """The sample box's refusal line: names the problem and what to do (the reason says it)."""
    return f"**Can't use this {what}:** {reason}"

