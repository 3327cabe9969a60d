"""libespeak-ng's state is the process's: every engine must share one Espeak.

A full test run crashed (segfault in espeak_Synth) because each app built its own engine and so its
own Espeak: the newest one's synthesis callback stayed registered in the library after that engine
was freed, and the next German sentence from an older engine called into freed memory. The check
runs in a child process, so a regression shows as a failed test, not a dead test session.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_TWO_ENGINES = """
import gc, sys
sys.path.insert(0, sys.argv[1])
from components.offline.engine import LocalEngine

def german(engine):
    chunks = engine.synthesize("Guten Tag, wie geht es dir?", language="german", emotion="neutral",
                               reference=None)
    return sum(len(chunk.samples) for chunk in chunks)

older = LocalEngine(aim=False)
german(older)
newer = LocalEngine(aim=False)
german(newer)
assert older._voices()[1] is newer._voices()[1], "two engines hold two espeak-ng instances"
del newer
gc.collect()
print("samples", german(older))
"""


def test_an_engine_still_speaks_after_another_engine_is_freed():
    run = subprocess.run(
        [sys.executable, "-c", _TWO_ENGINES, str(ROOT)], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, f"exit {run.returncode}: {run.stderr[-2000:]}"
    samples = int(run.stdout.split()[-1])
    assert samples > 22050 // 2, "the older engine said nothing"
