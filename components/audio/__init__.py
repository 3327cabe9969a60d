"""Audio plumbing every other part may use: what a file is, how to decode it, levels, WAV bytes.

Exposes: `sniff` (container detection), `ffmpeg` (the one ffmpeg process), `source` (what an input was),
`resample`, `level` (loudness, peaks, frame levels, WAV encode/decode), `data_uri`, `disclosure` (the AI-generated
label every output file carries), and `prepared.PreparedReference`,
the value that crosses from the reference pipeline to the ModelsLab client, the offline engine and the
voice library.

May import: numpy, soundfile, mutagen (tags), the standard library, `components.errors`. Nothing else in `components`:
it sits below `reference`, `modelslab` and `offline`, which all read audio.
"""
