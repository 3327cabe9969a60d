(text, backend, apiKey, saved) => {
  // Mirrors components/script (plan_text, split_parts, read_lines, split_pauses) to count a text's parts
  // in the browser, without a request per keystroke. tests/browser/test_part_count.py checks both agree.
  const CFG = __CONFIG__;
  const NUMBER = String.raw`(\d+(?:[.,]\d+)?|[.,]\d+)`;
  const UNIT = String.raw`(ms|milliseconds?|s|secs?|seconds?)?`;
  const PAUSE_TAG = /\[\s*pause\b[^\]\n]*\]|<\s*break\b[^<>\n]*>/iu;
  const PAUSE_BODY = new RegExp(String.raw`^\[\s*pause\s*[:=]?\s*(?:${NUMBER}\s*${UNIT})?\s*\]$`, "i");
  const BREAK_BODY = new RegExp(String.raw`^<\s*break(?:\s+time\s*=\s*(["']?)\s*${NUMBER}\s*${UNIT}\s*\1)?\s*\/?\s*>$`, "i");
  const LEADING = new RegExp(String.raw`^(?:\s*(?:${PAUSE_TAG.source}))*`, "iu");
  const ABBREVIATION = /(?:^|\s)(?:mr|mrs|ms|dr|prof|st|sr|jr|vs|etc|e\.g|i\.e|no|fig|[a-z]|\p{Nd}+)\.$/iu;
  const raw = text || "";
  const chars = [...raw].length;
  let name = (backend || "auto").trim().toLowerCase();
  if (name === "auto") name = CFG.voiceBackend;
  if (name === "auto") name = (apiKey || "").trim() || CFG.serverKey ? "modelslab" : "local";
  const size = name === "modelslab" ? CFG.remote : CFG.offline;
  const parts = countParts(raw.trim(), size, CFG);
  const lang = (typeof document !== "undefined" && document.documentElement.lang) || "en";
  const words = CFG.templates[lang] || CFG.templates[lang.split("-")[0]] || CFG.templates.en;
  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (all, key) => (key in values ? values[key] : all));
  const numbers = { count: chars.toLocaleString("en"), limit: CFG.maxChars.toLocaleString("en"), parts };
  let said = fill(parts > 0 ? words.parts : words.chars, numbers);
  if (parts > CFG.maxParts) said += " " + fill(words.limit, { limit: CFG.maxParts });
  return said;

  function countParts(text, size, cfg) {
    if (!text) return 0;
    const lines = text.replace(/\r\n/g, "\n").replace(/\r/g, "\n").split("\n");
    const savedNames = saved && typeof saved === "object" && Array.isArray(saved.voices)
      ? saved.voices.map((voice) => voice && typeof voice.name === "string" ? voice.name : "").filter(Boolean) : [];
    const known = new Set([...cfg.names, ...savedNames].map(nameKey));
    const forms = lines.map(scriptForm);
    const isScript = forms.some((f) => f && known.has(nameKey(f.name)));
    const runs = [];
    for (let i = 0; i < lines.length; i++) {
      const f = forms[i];
      if (!f) { runs.push(lines[i]); continue; }
      const isKnown = known.has(nameKey(f.name));
      const saidEmotion = f.emotion !== null && cfg.emotions.includes(f.emotion.trim().toLowerCase());
      if (!isKnown && !saidEmotion && !isScript) { runs.push(lines[i]); continue; }
      if (!isKnown) return -1;
      if (f.emotion !== null && !cfg.emotions.includes(f.emotion.trim().toLowerCase())) return -1;
      runs.push(f.text);
    }
    const turns = isScript ? runs.filter((line) => line.trim()) : runs.join("\n").split(/\n\s*\n/).filter((b) => b.trim());
    let count = 0;
    for (const turn of turns) {
      const pieces = splitPauses(turn);
      if (pieces === null) return -1;
      for (const piece of pieces) count += splitParts(piece, size.part, count ? null : size.first, size.pack);
    }
    return count || -1;
  }

  function nameKey(name) { return name.trim().split(/\s+/).join(" ").toLowerCase(); }

  function scriptForm(line) {
    const tags = line.match(LEADING);
    const rest = line.slice(tags ? tags[0].length : 0);
    const m = rest.match(/^\s*([\p{L}][\p{L}\p{N}_.'’ -]{0,39}?)\s*(?:\(([^()\n]{1,30})\))?\s*:(?:\s+|$)(.*)$/u);
    if (!m) return null;
    return { name: m[1].trim(), emotion: m[2] === undefined ? null : m[2], text: ((tags ? tags[0] : "") + m[3]).trim() };
  }

  function splitPauses(text) {
    const pieces = [];
    let at = 0;
    for (const m of text.matchAll(new RegExp(PAUSE_TAG.source, "giu"))) {
      if (!PAUSE_BODY.test(m[0]) && !BREAK_BODY.test(m[0])) return null;
      if (text.slice(at, m.index).trim()) pieces.push(text.slice(at, m.index));
      at = m.index + m[0].length;
    }
    if (text.slice(at).trim()) pieces.push(text.slice(at));
    return pieces;
  }

  function splitParts(text, limit, firstLimit, pack) {
    limit = Math.max(20, limit);
    const parts = [];
    for (const sentence of sentences(text.normalize("NFC").replace(/\s+/gu, " ").trim())) {
      if (pack && parts.length) {
        const room = firstLimit && parts.length === 1 ? firstLimit : limit;
        if (len(parts[parts.length - 1]) + 1 + len(sentence) <= room) { parts[parts.length - 1] += " " + sentence; continue; }
      }
      parts.push(...cutSentence(sentence, limit, parts.length ? null : firstLimit));
    }
    return parts.filter((p) => /[\p{L}\p{N}_]/u.test(p)).length;
  }

  function sentences(text) {
    const found = [];
    for (let piece of text.split(/(?<=[.!?…])\s+|(?<=[.!?…]["'”’»)\]])\s+|(?<=[。！？])/u)) {
      piece = (piece || "").trim();
      if (!piece) continue;
      if (found.length && ABBREVIATION.test(found[found.length - 1])) found[found.length - 1] += " " + piece;
      else found.push(piece);
    }
    return found;
  }

  function cutSentence(sentence, limit, firstLimit) {
    const pieces = [];
    const size = () => (firstLimit && !pieces.length ? firstLimit : limit);
    if (len(sentence) <= size()) return [sentence];
    let current = "";
    for (let clause of sentence.split(/(?<=[,;:—–、，；：])\s*/u)) {
      clause = clause.trim();
      if (!clause) continue;
      if (current && len(current) + 1 + len(clause) > size()) { pieces.push(current); current = ""; }
      current = current ? current + " " + clause : clause;
      while (len(current) > size()) {
        const cps = [...current];
        let cut = cps.slice(0, size() + 1).join("").lastIndexOf(" ");
        cut = cut >= 0 ? [...current.slice(0, cut)].length : -1;
        cut = cut > Math.floor(size() / 3) ? cut : size();
        pieces.push(cps.slice(0, cut).join("").trim());
        current = cps.slice(cut).join("").trim();
      }
    }
    if (current) pieces.push(current);
    return pieces;
  }

  function len(s) { return [...s].length; }
}
