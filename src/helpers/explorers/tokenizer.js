// Tokenizer explorer: byte-level BPE encoding in the browser, from the merges embedded in
// the page (no kernel, no network). Mirrors helpers.bpe.BPETokenizer.encode.
(function (rootId) {
  const root = document.getElementById(rootId);
  if (!root || root.dataset.live === "1") return;
  const data = JSON.parse(root.querySelector("script.tx-data").textContent);
  const merges = data.merges, specials = data.specials, palette = data.palette;
  // the words written here, in the page's language (data.labels, from tokenizer_labels() in tokenizer.py);
  // the English stands in for a key the data lacks (a page built before the labels existed)
  const EN = {
    "hint": "Tap or hover a token to see its id and bytes.",
    "title": "id {id} \u2014 bytes {bytes}",
    "special": "(special)",
    "stats": "{chars} characters \u2192 {bytes} bytes \u2192 {tokens} tokens",
    "merges": "{n} of {total} \u00b7 vocabulary {size}",
    "picked": "token {k}: \u201c{text}\u201d, {title}"
  };
  const L = Object.assign({}, EN, data.labels || {});
  const say = (key, f) => L[key].replace(/\{(\w+)\}/g, (m, k) => (f && k in f ? String(f[k]) : m));
  const rank = new Map();
  merges.forEach((m, i) => rank.set(m[0] * 1048576 + m[1], i));
  const vocab = [];
  for (let b = 0; b < 256; b++) vocab.push([b]);
  merges.forEach((m) => vocab.push(vocab[m[0]].concat(vocab[m[1]])));
  const specialById = {};
  Object.keys(specials).forEach((s) => (specialById[specials[s]] = s));
  const utf8 = new TextEncoder();

  // the pre-tokenizer (BPETokenizer.pattern): text is cut into words, each encoded alone
  const split = data.pattern ? new RegExp(data.pattern, "gu") : null;
  function encodeOrdinary(text, nMerges) {
    if (!split) return encodeChunk(text, nMerges);
    let ids = [];
    for (const m of text.matchAll(split)) ids = ids.concat(encodeChunk(m[0], nMerges));
    return ids;
  }
  function encodeChunk(text, nMerges) {
    let ids = Array.from(utf8.encode(text));
    while (ids.length >= 2) {
      let best = Infinity;
      for (let i = 0; i + 1 < ids.length; i++) {
        const r = rank.get(ids[i] * 1048576 + ids[i + 1]);
        if (r !== undefined && r < nMerges && r < best) best = r;
      }
      if (best === Infinity) break;
      const a = merges[best][0], b = merges[best][1], out = [];
      for (let i = 0; i < ids.length; ) {
        if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) { out.push(256 + best); i += 2; }
        else { out.push(ids[i]); i += 1; }
      }
      ids = out;
    }
    return ids;
  }
  function encode(text, nMerges, allowSpecial) {
    if (!allowSpecial) return encodeOrdinary(text, nMerges);
    let ids = [], rest = text;
    const names = Object.keys(specials);
    while (rest.length) {
      let pos = -1, hit = null;
      names.forEach((s) => {
        const p = rest.indexOf(s);
        if (p >= 0 && (pos < 0 || p < pos || (p === pos && s.length > hit.length))) { pos = p; hit = s; }
      });
      if (hit === null) { ids = ids.concat(encodeOrdinary(rest, nMerges)); break; }
      ids = ids.concat(encodeOrdinary(rest.slice(0, pos), nMerges));
      ids.push(specials[hit]);
      rest = rest.slice(pos + hit.length);
    }
    return ids;
  }
  // <visible>
  // the text with every character that needs an emoji font or is not printable written
  // as [U+XXXX] (as visible_text / needs_code_point in Python): outside the Basic Multilingual
  // Plane, a variation selector, or Unicode category C other than a tab, newline or return
  function visible(s) {
    let out = "";
    for (const ch of s) {
      const cp = ch.codePointAt(0);
      const hide = cp > 0xffff || (cp >= 0xfe00 && cp <= 0xfe0f) ||
        (/\p{C}/u.test(ch) && ch !== "\t" && ch !== "\n" && ch !== "\r");
      out += hide ? "[U+" + cp.toString(16).toUpperCase().padStart(4, "0") + "]" : ch;
    }
    return out;
  }
  // </visible>
  // a token's text, or [its bytes in hex, true] if they are not valid UTF-8 alone (as token_label in Python)
  function label(id) {
    if (id in specialById) return [specialById[id], false];
    const bytes = new Uint8Array(vocab[id]);
    try { return [visible(new TextDecoder("utf-8", { fatal: true }).decode(bytes)), false]; }
    catch (e) { return ["\u27e8" + Array.from(bytes).map((b) => b.toString(16).padStart(2, "0")).join(" ") + "\u27e9", true]; }
  }
  // ids of special tokens shift with the number of merges used, as in BPETokenizer.truncated
  function display(id, nMerges) { return id >= 256 + merges.length ? id - merges.length + nMerges : id; }

  // spaces, tabs and newlines inside a token are drawn as visible marks (grey), as in Python's view
  const MARKS = { " ": "\u2423", "\t": "\u21e5", "\n": "\u21b5", "\r": "\u240d" };
  function fillChip(span, text) {
    for (const part of text.split(/([ \t\n\r]+)/u)) {
      if (!part) continue;
      if (/^[ \t\n\r]+$/u.test(part)) {
        const mark = document.createElement("span");
        mark.className = "tx-sp";
        mark.textContent = Array.from(part).map((c) => MARKS[c]).join("");
        span.appendChild(mark);
      } else span.appendChild(document.createTextNode(part));
    }
  }
  const input = root.querySelector(".tx-input"), slider = root.querySelector(".tx-merges");
  const info = root.querySelector(".tx-info");
  const special = root.querySelector(".tx-special"), view = root.querySelector(".tx-tokens");
  const stats = root.querySelector(".tx-stats"), idsBox = root.querySelector(".tx-ids");
  const nLabel = root.querySelector(".tx-n");
  function render() {
    const n = parseInt(slider.value, 10), text = input.value;
    const ids = encode(text, n, special.checked);
    // "1000 of 1000 · vocabulary 1,260", kept on one line (the span does not wrap)
    nLabel.textContent = say("merges", { n: n, total: merges.length,
      size: (256 + n + Object.keys(specials).length).toLocaleString("en-US") });
    view.innerHTML = "";
    ids.forEach((id, i) => {
      const span = document.createElement("span");
      span.className = "tx-tok";
      const [text, hex] = label(id);
      if (hex) span.textContent = text;  // the spaces between hex bytes are separators, not marked spaces
      else fillChip(span, text);
      span.title = say("title", { id: display(id, n), bytes: id in specialById ? L.special :
        vocab[id].map((b) => b.toString(16).padStart(2, "0")).join(" ") });
      span.style.background = palette[i % palette.length];
      view.appendChild(span);
    });
    info.textContent = L.hint;
    idsBox.textContent = "[" + ids.map((id) => display(id, n)).join(", ") + "]";
    const nChars = Array.from(text).length, nBytes = utf8.encode(text).length;
    stats.textContent = say("stats", { chars: nChars, bytes: nBytes, tokens: ids.length });
    root.dataset.tokens = String(ids.length);
  }
  // the token under the finger or the mouse: outlined, its id and bytes written under the tokens
  function pick(ev) {
    const chip = ev.target.closest(".tx-tok");
    if (!chip) return;
    view.querySelectorAll(".tx-tok").forEach((c) => c.classList.remove("tx-picked"));
    chip.classList.add("tx-picked");
    const k = Array.prototype.indexOf.call(view.children, chip);
    info.textContent = say("picked", { k: k + 1, text: chip.textContent, title: chip.title });
  }
  // touch screens have no hover: a tap picks a token; a mouse picks the token it moves onto
  view.addEventListener("click", pick);
  view.addEventListener("pointerover", (ev) => { if (ev.pointerType === "mouse") pick(ev); });
  [input, slider, special].forEach((el) => el.addEventListener("input", render));
  special.addEventListener("change", render);
  root.querySelectorAll(".tx-example").forEach((b) =>
    b.addEventListener("click", () => { input.value = b.dataset.text; render(); }));
  root.querySelector(".tx-controls").style.display = "";
  root.dataset.live = "1";
  render();
})
