"""Gradio's own "save this session as a link" endpoint, switched off.

`GET /gradio_api/deep_link?session_hash=<hash>` (gradio/routes.py, meant for gr.DeepLinkButton) copies
every component of that session as the session last sent it into `<upload folder>/deep_links/<id>/
state.json`, and `/?deep_link=<id>` then serves those values to whoever opens the address. Every
input of an event is recorded in the session, so here that copy holds the visitor's own ModelsLab
key (an input of Generate and /clone), their voice recording and their list of takes: a secret
written to the server's disk and handed to another browser. Gradio has no option to turn the
endpoint off (and on a Space a gr.Interface even adds the button by itself), so the app answers
it as if it did not exist. Reading links stays: the page's own "share this take" writes its links
itself, from the page as a new visitor sees it plus the take's fields (`history.share`).
"""

from __future__ import annotations

import json

SAVE_SESSION_PATH = "/gradio_api/deep_link"
_NOT_FOUND = json.dumps({"detail": "Not Found"}).encode()


def saves_a_session(path: str) -> bool:
    """Whether a request path reaches Gradio's session-saving route (also under a mount, or with a
    trailing slash, which Gradio would redirect to it)."""
    return path.rstrip("/").endswith(SAVE_SESSION_PATH)


class RefuseSessionLinks:
    """ASGI middleware: a plain 404 for Gradio's session-saving route; everything else passes."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope.get("type") == "http" and saves_a_session(scope.get("path", "")):
            await send({
                "type": "http.response.start", "status": 404,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(_NOT_FOUND)).encode())],
            })
            await send({"type": "http.response.body", "body": _NOT_FOUND})
            return
        await self.app(scope, receive, send)
