"""The ModelsLab HTTP client: submit a job, poll it, download the result; typed results, no gradio.

Exposes `ModelsLabClient`, `SubmitRequest`, `PollUpdate`. Modules: `client` (the job lifecycle), `types`
(parsing the API's JSON at the boundary into `JobState`), `download` (fetching and checking the result
audio), `voices` (an account's voice library: voice_upload, voice_list, base64_to_url, parsed by
`voice_types`).

May import: requests/urllib3, `components.audio` (sniffing and checking downloaded audio),
`components.secrets` (redaction), `components.errors`. Never `reference`, `offline` or `ui`.
"""

from components.modelslab.client import ModelsLabClient, PollUpdate, SubmitRequest

__all__ = ["ModelsLabClient", "PollUpdate", "SubmitRequest"]
