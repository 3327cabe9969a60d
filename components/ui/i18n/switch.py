"""The language switch near the title: the page starts in the browser's language (or the one the
visitor chose before, kept in this browser), and changes language at once, without a reload, so
nothing typed or recorded is lost.

Gradio's browser code picks a language from the browser and offers a switch only in its footer
settings panel; the app calls the same function (`changeLocale`, exported by its `core` module),
found by its file name among the scripts the page loaded. If Gradio ever stops exporting it, the
switch still tells the server, so messages follow the choice, and the page keeps the browser's
language.
"""

from __future__ import annotations

import json

import gradio as gr

from components.ui.i18n.catalogue import DEFAULT_LOCALE, LOCALES, RIGHT_TO_LEFT
from components.ui.i18n.localise import KEEP_CHOICES

STORAGE_KEY = "voice-clone-studio.language"

_APPLY_JS = """
const vcsSupported = %(supported)s;
const vcsRightToLeft = %(rtl)s;
const vcsPick = (tags) => {
  for (const tag of tags) {
    if (!tag) continue;
    const low = String(tag).toLowerCase();
    const exact = vcsSupported.find((code) => code.toLowerCase() === low);
    if (exact) return exact;
    const base = vcsSupported.find((code) => code.toLowerCase().split('-')[0] === low.split('-')[0]);
    if (base) return base;
  }
  return %(default)s;
};
const vcsApply = async (locale) => {
  const isCore = (url) => /\\/assets\\/core-[^/?]*\\.js(\\?|$)/.test(url);
  const loaded = performance.getEntriesByType('resource').map((entry) => entry.name);
  const preloaded = [...document.querySelectorAll('link[rel=modulepreload]')].map((link) => link.href);
  const url = loaded.find(isCore) || preloaded.find(isCore);
  try {
    const core = url ? await import(url) : null;
    if (core && typeof core.changeLocale === 'function') core.changeLocale(locale);
  } catch (error) {
    console.warn('language switch:', error);
  }
  document.documentElement.dir = vcsRightToLeft.includes(locale) ? 'rtl' : 'ltr';
  // Gradio loads its own words for the language first; what follows this event (the counter
  // under the text box, the list of takes) then finds the page already in that language.
  for (let waited = 0; document.documentElement.lang !== locale && waited < 3000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return locale;
};
""" % {
    "supported": json.dumps([code for code, _ in LOCALES]),
    "rtl": json.dumps(sorted(RIGHT_TO_LEFT)),
    "default": json.dumps(DEFAULT_LOCALE),
}

LOAD_JS = (
    "async (current) => {"
    + _APPLY_JS
    + f"""
  let saved = null;
  try {{ saved = localStorage.getItem({json.dumps(STORAGE_KEY)}); }} catch (error) {{}}
  const wanted = vcsPick(saved ? [saved] : [...(navigator.languages || []), navigator.language]);
  return await vcsApply(wanted);
}}"""
)
"""On page load: the saved choice, else the browser's first language the app speaks."""

SWITCH_JS = (
    "async (locale) => {"
    + _APPLY_JS
    + f"""
  try {{ localStorage.setItem({json.dumps(STORAGE_KEY)}, locale); }} catch (error) {{}}
  return await vcsApply(vcsPick([locale]));
}}"""
)
"""When the visitor picks a language: remember it in this browser, and switch the page."""


def language_switch() -> gr.Dropdown:
    """The dropdown itself; each language is named in its own words."""
    return gr.Dropdown(
        choices=[(name, code) for code, name in LOCALES], value=DEFAULT_LOCALE,
        label="Page language", elem_id="ui_language", elem_classes=[KEEP_CHOICES],
        min_width=150, scale=0, interactive=True,
    )


def wire_language_switch(demo: gr.Blocks, switch: gr.Dropdown, remember) -> tuple:
    """Run the switch on load and on each pick; `remember(locale, request)` tells the server.

    Returns the two events, so other parts can re-render their words after them (`.then`).
    """
    loaded = demo.load(
        remember, switch, switch, js=LOAD_JS, api_visibility="private", queue=False,
        show_progress="hidden",
    )
    picked = switch.input(
        remember, switch, switch, js=SWITCH_JS, api_visibility="private", queue=False,
        show_progress="hidden",
    )
    return loaded, picked
