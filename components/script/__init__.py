"""Long text and scripts, as text: pause tags, `Name:` script lines, parts that suit a backend, limits.

Exposes `plan_text` (text -> Plan of Parts, each with its voice, emotion and the silence after it),
`split_parts` (one run of text -> parts at sentence/clause boundaries), `find_pauses`, `ScriptLine`
parsing and the LIMITS every clip is held to. Pure text work: no audio, no I/O, no network, so the
page's part counter (components/ui/part_count.js) can mirror it exactly and be tested against it.

May import: components.errors, components.settings (EMOTIONS) only.
"""

from components.script.limits import LIMITS, Limits
from components.script.plan import Part, Plan, plan_text
from components.script.sentences import split_parts

__all__ = ["LIMITS", "Limits", "Part", "Plan", "plan_text", "split_parts"]
