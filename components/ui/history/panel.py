"""The list of takes on the page: its components, the HTML of each take, and the browser code that
plays two takes one after the other.

The list is drawn on the server (escaped here, in one place) in the page's language, and lives in
a gr.HTML; playing, ticking and comparing happen in the browser, with no server round trip. "Use
these settings again" is the one action that needs the server, so it is sent as the HTML's click
event with the take's id.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import quote

import gradio as gr

from components.ui.history.takes import Take

TEXT_PREVIEW = 90
"""Characters of a take's text shown in the list (the whole text comes back with 'use again')."""
STORAGE_KEY = "voice-clone-studio.takes"
# BrowserState encrypts what it stores with this; the key is sent to the page anyway, so it guards
# nothing and only needs to stay the same across restarts (a random one would forget every list).
STORAGE_SECRET = "voice-clone-studio-takes-v1"

Say = Callable[..., str]
"""t(key, **values) -> the catalogue entry in the page's language."""

JS_ON_LOAD = """
const bar = () => element.querySelector('.vcs-compare-bar');
const picked = [];
const localTimes = () => element.querySelectorAll('time[datetime]').forEach((node) => {
  const when = new Date(node.getAttribute('datetime'));
  if (!isNaN(when)) node.textContent = when.toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'});
});
const refresh = () => {
  picked.splice(0, picked.length, ...picked.filter((id) =>
    element.querySelector(`.vcs-pick input[data-id="${id}"]:checked`)));
  const button = element.querySelector('.vcs-compare');
  if (button) button.disabled = picked.length !== 2;
};
const status = (text) => { const node = element.querySelector('.vcs-compare-status'); if (node) node.textContent = text; };
const stopAll = () => element.querySelectorAll('audio').forEach((audio) => audio.pause());
const mark = (audio) => element.querySelectorAll('.vcs-take').forEach((take) =>
  take.classList.toggle('vcs-playing', !!audio && take.contains(audio)));
element.addEventListener('change', (event) => {
  const box = event.target.closest('.vcs-pick input');
  if (!box) return;
  const id = box.dataset.id;
  const at = picked.indexOf(id);
  if (box.checked && at < 0) picked.push(id);
  if (!box.checked && at >= 0) picked.splice(at, 1);
  while (picked.length > 2) {
    const oldest = picked.shift();
    const other = element.querySelector(`.vcs-pick input[data-id="${oldest}"]`);
    if (other) other.checked = false;
  }
  refresh();
});
element.addEventListener('click', (event) => {
  const action = event.target.closest('[data-action]');
  if (action && action.dataset.action === 'use') {
    trigger('click', {action: 'use', id: action.dataset.id});
    return;
  }
  if (!event.target.closest('.vcs-compare')) return;
  const players = picked.map((id) => element.querySelector(`.vcs-take[data-id="${id}"] audio`)).filter(Boolean);
  if (players.length !== 2) return;
  const template = bar().dataset.playing || '{number} / 2';
  stopAll();
  players.forEach((audio) => { audio.currentTime = 0; });
  const [first, second] = players;
  status(template.replace('{number}', '1'));
  mark(first);
  first.addEventListener('ended', () => {
    status(template.replace('{number}', '2'));
    mark(second);
    second.play();
    second.addEventListener('ended', () => { status(bar().dataset.hint || ''); mark(null); }, {once: true});
  }, {once: true});
  first.play();
});
element.addEventListener('play', (event) => {
  element.querySelectorAll('audio').forEach((audio) => { if (audio !== event.target) audio.pause(); });
}, true);
localTimes();
watch('value', () => { picked.length = 0; refresh(); localTimes(); });
"""

CSS = """
#history .vcs-takes-empty { opacity: 0.75; margin: 0.25em 0; }
#history .vcs-compare-bar { display: flex; flex-wrap: wrap; gap: 0.5em; align-items: center; margin: 0.25em 0 0.5em; }
#history .vcs-take-list { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.6em; }
#history .vcs-take { border: 1px solid var(--border-color-primary); border-radius: var(--radius-lg);
  padding: 0.6em 0.75em; background: var(--block-background-fill); min-width: 0; }
#history .vcs-take-text { display: block; font-weight: 600; overflow-wrap: anywhere; margin: 0.15em 0; }
#history .vcs-take-meta { font-size: 0.85em; opacity: 0.85; overflow-wrap: anywhere; }
#history .vcs-take audio { width: 100%; margin: 0.4em 0; }
#history .vcs-take-actions { display: flex; flex-wrap: wrap; gap: 0.5em; align-items: center; }
#history button, #history .vcs-download, #history .vcs-pick { min-height: 44px; padding: 0 0.9em;
  border-radius: var(--radius-md); border: 1px solid var(--border-color-primary);
  background: var(--button-secondary-background-fill); color: var(--button-secondary-text-color);
  display: inline-flex; align-items: center; gap: 0.4em; cursor: pointer; text-decoration: none; }
#history .vcs-pick input { width: 1.2em; height: 1.2em; margin: 0; }
#history button, #history .vcs-download, #history .vcs-pick { font-size: 0.9em; font-weight: 500; }
#history button:disabled { opacity: 0.5; cursor: default; }
#history .vcs-take.vcs-playing { outline: 2px solid var(--color-accent); }
#history .vcs-expired { font-size: 0.85em; color: var(--body-text-color-subdued); margin: 0.3em 0; }
#history .vcs-bar { display: inline-block; width: 4em; height: 0.5em; border-radius: 0.25em;
  background: var(--border-color-primary); vertical-align: middle; overflow: hidden; }
#history .vcs-bar > span { display: block; height: 100%; background: var(--color-accent); }
"""


@dataclass
class HistoryPanel:
    """The components of the list of takes, and of sharing the take on show."""

    store: gr.BrowserState
    view: gr.HTML
    current: gr.State
    share: gr.Button
    share_link: gr.Textbox
    token: gr.Textbox
    """Hidden: the link's query string, which the browser turns into the full address."""


def history_panel() -> HistoryPanel:
    """Build the list (under the output) and the share button; call inside the page's Blocks."""
    share = gr.Button("Share this result", elem_id="share_result", size="md", interactive=False)
    share_link = gr.Textbox(
        label="Link to this result: it opens this take and its settings, for about an hour",
        elem_id="share_link", visible=False, interactive=False, buttons=["copy"], max_lines=2,
    )
    token = gr.Textbox(visible=False)
    store = gr.BrowserState([], storage_key=STORAGE_KEY, secret=STORAGE_SECRET)
    view = gr.HTML(
        "", label="Your takes (kept in this browser only)", show_label=True, container=True,
        elem_id="history", js_on_load=JS_ON_LOAD, padding=True,
    )
    return HistoryPanel(
        store=store, view=view, current=gr.State(None), share=share, share_link=share_link, token=token
    )


def render(takes: Iterable[Take], present: set[str], t: Say) -> str:
    """The list as HTML: every value escaped, each take with its player, tick box and actions."""
    takes = list(takes)
    if not takes:
        return f'<p class="vcs-takes-empty">{_e(t("history.empty"))}</p>'
    bar = (
        f'<div class="vcs-compare-bar" data-playing="{_e(t("history.playing", number="{number}"))}" '
        f'data-hint="{_e(t("history.compare_hint"))}">'
        f'<button type="button" class="vcs-compare" disabled>{_e(t("history.compare"))}</button>'
        f'<span class="vcs-compare-status" aria-live="polite">{_e(t("history.compare_hint"))}</span></div>'
    )
    items = "".join(_take_html(take, take.id in present, t) for take in takes)
    return f'<div class="vcs-takes">{bar}<ol class="vcs-take-list">{items}</ol></div>'


def _take_html(take: Take, present: bool, t: Say) -> str:
    text = take.text if len(take.text) <= TEXT_PREVIEW else take.text[: TEXT_PREVIEW - 1].rstrip() + "…"
    url = "gradio_api/file=" + quote(take.clip, safe="/")
    head = (
        f'<label class="vcs-pick"><input type="checkbox" data-id="{take.id}"> {_e(t("history.pick"))}</label>'
        if present else ""
    )
    body = (
        f'<audio controls preload="none" src="{_e(url)}"></audio>'
        f'<div class="vcs-take-actions">{_use_button(take, t)}'
        f'<a class="vcs-download" href="{_e(url)}" download="{_e(take.clip_name)}">{_e(t("history.download"))}</a></div>'
        if present else
        f'<p class="vcs-expired">{_e(t("history.expired"))}</p><div class="vcs-take-actions">{_use_button(take, t)}</div>'
    )
    return (
        f'<li class="vcs-take" data-id="{take.id}" data-state="{"ready" if present else "expired"}">'
        f'{head}<q class="vcs-take-text">{_e(text)}</q>'
        f'<div class="vcs-take-meta">{_meta(take, t)}</div>{body}</li>'
    )


def _use_button(take: Take, t: Say) -> str:
    return f'<button type="button" data-action="use" data-id="{take.id}">{_e(t("history.use_again"))}</button>'


def _meta(take: Take, t: Say) -> str:
    """'your sample · English · happy · offline · ▮▮▯ voice match 78% · 10:42'."""
    voice = {
        "sample": lambda: t("history.voice_sample"),
        "id": lambda: t("history.voice_id", voice=take.voice_name),
        "picker": lambda: take.voice_name,
        "builtin": lambda: t("history.voice_builtin"),
    }[take.voice_kind]()
    parts = [_e(voice), _e(t(f"frag.lang.{take.language}")), _e(t(f"frag.emotion.{take.emotion}"))]
    if take.made_by:
        parts.append(_e(take.made_by))
    if take.match is not None:
        parts.append(
            f'<span class="vcs-match"><span class="vcs-bar" aria-hidden="true">'
            f'<span style="width:{take.match}%"></span></span> {_e(t("history.match", percent=str(take.match)))}</span>'
        )
    if take.created:
        stamp = time.gmtime(take.created)
        parts.append(
            f'<time datetime="{time.strftime("%Y-%m-%dT%H:%M:%SZ", stamp)}">{time.strftime("%H:%M UTC", stamp)}</time>'
        )
    return " · ".join(parts)


def _e(text: str) -> str:
    return html.escape(str(text), quote=True)
