"""Text for the offline voices: sentence chunks for streaming, and script fixes per language.

Why the fixes: espeak-ng reads Japanese kanji as "Chinese letter" and unvowelled Arabic
letter by letter, so Japanese goes through pykakasi (kanji -> hiragana, dictionary inside
the wheel) and Arabic through Piper's bundled tashkeel diacritizer before synthesis.
"""

from __future__ import annotations

import re
import threading
import unicodedata

from components.errors import EngineUnavailableError
from components.offline.kanji_readings import use_compact_dictionary

FIRST_CHUNK_CHARS = 100
"""The first chunk is kept short so the first audio reaches the player in about a second."""
MAX_CHUNK_CHARS = 150
"""Longer sentences are cut at a comma (or a space): no single chunk takes long, and Piper's
peak memory (about +1 MB per character of a chunk) stays bounded."""

_SENTENCE_END = re.compile(r"(?<=[.!?;…])\s+|(?<=[。！？；؟।])")
_ABBREVIATION = re.compile(
    r"(?:^|\s)(?:mr|mrs|ms|dr|prof|st|sr|jr|vs|etc|e\.g|i\.e|no|fig|[a-z]|\d+)\.$", re.IGNORECASE
)
_CLAUSE_BREAK = re.compile(r"(?<=[,:،、，：—])\s*")
_CJK_IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SPEAKABLE = re.compile(r"\w", re.UNICODE)

# One everyday sentence per language: calibrates each source voice's profile, and the tests
# and the benchmark use them to check that every language comes out as speech of fitting length.
SAMPLE_SENTENCES: dict[str, str] = {
    "english": "The weather is lovely today, so we are going for a long walk in the park.",
    "arabic": "الطقس جميل اليوم، لذلك سنذهب في نزهة طويلة في الحديقة.",
    "chinese": "今天天气很好，我们要去公园散步。",
    "spanish": "Hoy hace un tiempo precioso, así que vamos a dar un largo paseo por el parque.",
    "german": "Heute ist das Wetter herrlich, deshalb machen wir einen langen Spaziergang im Park.",
    "czech": "Dnes je krásné počasí, takže půjdeme na dlouhou procházku do parku.",
    "dutch": "Het is vandaag prachtig weer, dus we gaan een lange wandeling maken in het park.",
    "french": "Il fait très beau aujourd'hui, alors nous allons faire une longue promenade au parc.",
    "hindi": "आज मौसम बहुत अच्छा है, इसलिए हम पार्क में लंबी सैर करने जा रहे हैं।",
    "hungarian": "Ma gyönyörű az idő, ezért hosszú sétát teszünk a parkban.",
    "italian": "Oggi il tempo è splendido, quindi faremo una lunga passeggiata nel parco.",
    "japanese": "今日は天気がいいので、公園を長く散歩します。",
    "korean": "오늘은 날씨가 좋아서 공원에서 오래 산책을 할 거예요.",
    "polish": "Dzisiaj jest piękna pogoda, więc idziemy na długi spacer do parku.",
    "russian": "Сегодня прекрасная погода, поэтому мы пойдём на долгую прогулку в парк.",
    "turkish": "Bugün hava çok güzel, bu yüzden parkta uzun bir yürüyüşe çıkacağız.",
}

# Phonetically varied English (the public-domain "Rainbow Passage"). Source voices are
# calibrated on it (plus their language's sample sentence): one sentence alone biased the
# long-term spectrum enough to pick a wrong formant ratio (0.86 for joe against joe).
CALIBRATION_TEXT = (
    "When the sunlight strikes raindrops in the air, they act as a prism and form a rainbow. "
    "The rainbow is a division of white light into many beautiful colors. These take the shape "
    "of a long round arch, with its path high above, and its two ends apparently beyond the "
    "horizon. There is, according to legend, a boiling pot of gold at one end."
)

_lock = threading.Lock()
_kakasi = None
_tashkeel = None


def split_chunks(text: str) -> list[str]:
    """Split text into speakable chunks, sentence by sentence, the first one short.

    Args:
        text: any text; whitespace is normalised.
    Returns:
        Non-empty chunks in order; chunks with nothing speakable (only punctuation) are dropped.
    """
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    sentences: list[str] = []
    for piece in (s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()):
        if sentences and _ABBREVIATION.search(sentences[-1]):
            sentences[-1] += " " + piece  # "Dr. Smith" is one sentence, not two
        else:
            sentences.append(piece)
    chunks: list[str] = []
    for sentence in sentences:
        limit = FIRST_CHUNK_CHARS if not chunks else MAX_CHUNK_CHARS
        chunks.extend(_cut(sentence, limit))
    return [c for c in chunks if _SPEAKABLE.search(c)]


def _cut(sentence: str, limit: int) -> list[str]:
    """Cut one long sentence at clause breaks, then at spaces, into pieces of <= limit chars."""
    if len(sentence) <= limit:
        return [sentence]
    pieces: list[str] = []
    current = ""
    for clause in (c for c in _CLAUSE_BREAK.split(sentence) if c):
        if current and len(current) + 1 + len(clause) > limit:
            pieces.append(current)
            current = ""
            limit = MAX_CHUNK_CHARS
        current = f"{current} {clause}".strip() if current else clause
        while len(current) > limit:
            cut = current.rfind(" ", 0, limit)
            cut = cut if cut > limit // 3 else limit
            pieces.append(current[:cut].strip())
            current = current[cut:].strip()
            limit = MAX_CHUNK_CHARS
    if current:
        pieces.append(current)
    return pieces


def has_kanji(text: str) -> bool:
    """True when the text contains CJK ideographs (kanji/hanzi)."""
    return bool(_CJK_IDEOGRAPH.search(text))


def to_kana(text: str) -> str:
    """Japanese text -> hiragana (kanji read by pykakasi's bundled dictionary, kept on disk)."""
    global _kakasi
    with _lock:
        if _kakasi is None:
            try:
                import pykakasi
            except ImportError as err:
                raise EngineUnavailableError(
                    "Japanese text with kanji needs the pykakasi package offline; install "
                    "requirements.txt, or write the text in kana."
                ) from err
            use_compact_dictionary()  # else pykakasi holds its whole dictionary: +120 MiB
            _kakasi = pykakasi.kakasi()
        parts = _kakasi.convert(text)
    # The topic particle は is read "wa"; pykakasi leaves it as は ("ha") when it follows
    # a converted word, so fix the common case: a lone は right after a noun group.
    words = [p["hira"] if has_kanji(p["orig"]) else p["orig"] for p in parts]
    joined = " ".join(w for w in words if w)
    return re.sub(r"(?<=[\u3040-\u30ff]) は(?= |$)", " わ", joined)


def diacritize_arabic(text: str) -> str:
    """Unvowelled Arabic -> vowelled, with Piper's bundled tashkeel model (~5 MB, ONNX)."""
    global _tashkeel
    with _lock:
        if _tashkeel is None:
            from piper.tashkeel import TashkeelDiacritizer

            _tashkeel = TashkeelDiacritizer()
        return _tashkeel(text)


def speakable(text: str, language: str) -> str:
    """The text a source voice should be given for `language` (script fixes applied)."""
    if language == "japanese" and has_kanji(text):
        return to_kana(text)
    if language == "arabic":
        return diacritize_arabic(text)
    return text
