// Attention explorer: pick sentence, attention kind, layer, head (or "all heads": one small grid each), query and stage; or click a
// row's token. Everything is computed here from the raw Q K^T scores (and the values V) embedded
// in the page (no kernel, no network), exactly as helpers.explorers.explorer_stages does.
(function (rootId) {
  const root = document.getElementById(rootId);
  if (!root || root.dataset.live === "1") return;
  const data = JSON.parse(root.querySelector("script.ax-data").textContent);
  const $ = (sel) => root.querySelector(sel);
  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/'/g, "&#39;");
  const sSel = $(".ax-sentence"), kSel = $(".ax-kind"), lSel = $(".ax-layer"), hSel = $(".ax-head");
  const qSel = $(".ax-query"), allBtn = $(".ax-all");
  // the menu of kinds is left out when the data hold a single kind (attention_explorer_html)
  const kinds = Object.keys(data.sentences[0].kinds), kind = () => (kSel ? kSel.value : kinds[0]);
  let all = false;  // "all heads": one small grid per head of the layer (attention_heads_html in attention.py)
  // the words written here, in the page's language (data.labels, from attention_labels() in attention.py);
  // the English stands in for a key the data lacks (a page built before the labels existed)
  const EN = {
    "layer_n": "layer {n}",
    "head_n": "head {n}",
    "key": "key",
    "weight": "weight",
    "output": "output",
    "attends": "<b>{token}</b> attends to: {tokens}",
    "output_note": "output of <b>{token}</b> = the weighted sum of the value rows above (one head; W<sup>O</sup> then mixes the heads)",
    "heads_note": "Every head of this layer, one grid each (rows: queries, columns: keys). Click a head to open it."
  };
  const L = Object.assign({}, EN, data.labels || {});
  // a half-width space where a Latin letter or digit meets a Chinese character in the shown text, tags
  // between them or not: "<b>The</b> 关注的词元", but "<b>猫</b>关注的词元" (spaced() in attention.py)
  const LATIN_CJK = /([A-Za-z0-9])(?=[\u3400-\u9fff])|([\u3400-\u9fff])(?=[A-Za-z0-9])/g;
  const spaced = (html) => {
    let prev = "";
    return html.split(/(<[^>]*>)/).map((part, i) => {
      if (i % 2 || !part) return part;
      part = part.replace(LATIN_CJK, (m, a, b) => (a || b) + " ");
      if (prev && /^(?:[A-Za-z0-9][\u3400-\u9fff]|[\u3400-\u9fff][A-Za-z0-9])$/.test(prev + part[0])) part = " " + part;
      prev = part[part.length - 1];
      return part;
    }).join("");
  };
  // a template with its {fields} filled in (the fields are escaped by the caller where they are text)
  const say = (key, f) => spaced(L[key].replace(/\{(\w+)\}/g, (m, k) => (f && k in f ? String(f[k]) : m)));
  const view = $(".ax-view"), focus = $(".ax-focus"), hint = $(".ax-hint");
  let query = 0;
  data.sentences.forEach((s, i) => sSel.add(new Option(s.name, i)));
  if (kSel) kinds.forEach((k) => kSel.add(new Option(data.kind_names[k] || k, k)));
  // optional data.layer_names / data.head_names label the options (e.g. a few layers of a big model)
  for (let l = 0; l < data.n_layers; l++) lSel.add(new Option((data.layer_names || [])[l] || say("layer_n", { n: l + 1 }), l));
  for (let h = 0; h < data.n_heads; h++) hSel.add(new Option((data.head_names || [])[h] || say("head_n", { n: h + 1 }), h));
  function stage() { return root.querySelector(".ax-stage:checked").value; }
  function stages(k, raw) {
    const mask = k.mask, dk = data.d_k;
    const scaled = raw.map((r) => r.map((x) => x / Math.sqrt(dk)));
    const masked = scaled.map((r, i) => r.map((x, j) => (mask[i][j] ? x : -Infinity)));
    const weights = masked.map((r) => {
      const m = Math.max(...r);
      if (m === -Infinity) return r.map(() => 0);  // fully masked row: zeros, as in helpers
      const e = r.map((x) => Math.exp(x - m)), z = e.reduce((a, b) => a + b, 0);
      return e.map((x) => x / z);
    });
    return { raw: raw, scaled: scaled, masked: masked, weights: weights };
  }
  function current() {
    const s = data.sentences[sSel.value], k = s.kinds[kind()];
    const { raw, scaled, masked, weights } = stages(k, k.scores[lSel.value][hSel.value]);
    const values = k.values ? k.values[lSel.value][hSel.value] : null;
    return { k, m: { raw: raw, scaled: scaled, masked: masked, weights: weights }[stage()], weights, values };
  }
  // scores: diverging, red above zero and blue below (as the chapter's heatmaps); weights: white to blue
  function signed(x, scale) {
    const t = scale > 0 ? Math.max(-1, Math.min(1, x / scale)) : 0;
    return ["rgba(" + (t > 0 ? "178,24,43," : "33,102,172,") + (Math.abs(t) * 0.9).toFixed(3) + ")",
            Math.abs(t) > 0.6 ? "white" : "black"];
  }
  function blue(w) { return ["rgba(33,102,172," + (0.05 + 0.95 * w).toFixed(3) + ")", w > 0.55 ? "white" : "black"]; }
  function cell(c, txt) { return "<td style='background:" + c[0] + ";color:" + c[1] + "'>" + txt + "</td>"; }
  // a true minus (U+2212), as the mask explorer and the Python first view print it
  function fmt(x) { return x === -Infinity ? "\u2212\u221e" : x.toFixed(2).replace("-", "\u2212"); }
  function matrix(k, m, isW) {
    const scale = Math.max(0, ...m.flat().filter((x) => x !== -Infinity).map(Math.abs));
    let html = "<table class='ax-table'><tr><th></th>" +
      k.k_tokens.map((t) => "<th class='ax-col'>" + esc(t) + "</th>").join("") + "</tr>";
    m.forEach((row, i) => {
      html += "<tr class='" + (i === query ? "ax-sel" : "") + "'><th class='ax-q' data-i='" + i + "'>" + esc(k.q_tokens[i]) + "</th>" +
        row.map((x) => cell(x === -Infinity ? ["#d0d0d0", "black"] : isW ? blue(x) : signed(x, scale), fmt(x))).join("") + "</tr>";
    });
    return html + "</table>";
  }
  function output(k, w, values) {  // the x V step for the chosen query
    const dims = values[0].length, out = new Array(dims).fill(0);
    const scale = Math.max(0, ...values.flat().map(Math.abs));
    let html = "<table class='ax-table'><tr><th>" + esc(L.key) + "</th><th>" + esc(L.weight) + "</th>" +
      Array.from({ length: dims }, (_, c) => "<th>v" + (c + 1) + "</th>").join("") + "</tr>";
    k.k_tokens.forEach((t, j) => {
      if (!k.mask[query][j]) return;
      values[j].forEach((x, c) => { out[c] += w[j] * x; });
      html += "<tr><th>" + esc(t) + "</th>" + cell(blue(w[j]), fmt(w[j])) +
        values[j].map((x) => cell(signed(x, scale), fmt(x))).join("") + "</tr>";
    });
    html += "<tr class='ax-out'><th>" + esc(L.output) + "</th><td>\u03a3</td>" + out.map((x) => cell(signed(x, scale), fmt(x))).join("") + "</tr>";
    return { html: html + "</table>", out };
  }
  function mini(m, isW) {  // one head as a small grid of coloured squares (_mini_html in attention.py)
    const scale = Math.max(0, ...m.flat().filter((x) => x !== -Infinity).map(Math.abs));
    const cols = (m[0] || []).length, px = Math.max(5, Math.min(14, Math.floor(168 / Math.max(cols, 1))));
    return "<span class='ax-mini' style='grid-template-columns:repeat(" + cols + "," + px + "px);grid-auto-rows:" + px + "px'>" +
      m.flat().map((x) => "<span style='background:" + (x === -Infinity ? "#d0d0d0" : isW ? blue(x)[0] : signed(x, scale)[0]) +
        "'></span>").join("") + "</span>";
  }
  function heads() {  // every head of the chosen layer; a click on one opens it
    const k = data.sentences[sSel.value].kinds[kind()], st = stage() === "output" ? "weights" : stage();
    view.innerHTML = "<div class='ax-heads'>" + k.scores[lSel.value].map((raw, h) =>
      "<button type='button' class='ax-h" + (h === +hSel.value ? " ax-cur" : "") + "' data-h='" + h + "'><span class='ax-hl'>" +
      esc((data.head_names || [])[h] || say("head_n", { n: h + 1 })) + "</span>" + mini(stages(k, raw)[st], st === "weights") +
      "</button>").join("") + "</div>";
    view.querySelectorAll(".ax-h").forEach((b) => b.addEventListener("click", () => {
      hSel.value = b.dataset.h; all = false; query = 0; render(); hSel.focus();
    }));
    hint.innerHTML = say("heads_note");
    focus.innerHTML = "";
  }
  function render() {
    if (allBtn) allBtn.setAttribute("aria-pressed", String(all));
    root.dataset.all = all ? "1" : "0";
    const { k, m, weights, values } = current();
    if (query >= k.q_tokens.length) query = 0;
    if (qSel.options.length !== k.q_tokens.length || [...qSel.options].some((o, i) => o.text !== k.q_tokens[i])) {
      qSel.innerHTML = "";
      k.q_tokens.forEach((t, i) => qSel.add(new Option(t, i)));
    }
    qSel.value = query;
    const st = stage(), w = weights[query];
    if (st === "output" && values) {
      const o = output(k, w, values);
      view.innerHTML = o.html;
      root.dataset.output = o.out.map((x) => x.toFixed(4)).join(",");
      hint.innerHTML = say("output_note", { token: esc(k.q_tokens[query]) });
    } else {
      view.innerHTML = matrix(k, m, st === "weights");
      view.querySelectorAll(".ax-q").forEach((th) => th.addEventListener("click", () => { query = +th.dataset.i; render(); }));
      hint.textContent = (data.hints || {})[kind()] || "";
    }
    const seen = k.k_tokens.map((t, j) => !k.mask[query][j] ? "" :  // only keys the query may see
      "<span class='ax-tok' style='background:rgba(33,102,172," + w[j].toFixed(3) + ");color:" + (w[j] > 0.55 ? "white" : "black") +
      "' title='" + w[j].toFixed(3) + "'>" + esc(t) + "</span>").filter((x) => x).join(" ");
    focus.innerHTML = say("attends", { token: esc(k.q_tokens[query]), tokens: seen });
    root.dataset.state = [sSel.value, kind(), lSel.value, hSel.value, st, query].join("|");
    if (all) heads();
  }
  [sSel, kSel, lSel].filter(Boolean).forEach((el) => el.addEventListener("change", () => { query = 0; render(); }));
  hSel.addEventListener("change", () => { query = 0; all = false; render(); });
  if (allBtn) allBtn.addEventListener("click", () => { all = !all; render(); });
  qSel.addEventListener("change", () => { query = +qSel.value; render(); });
  root.querySelectorAll(".ax-stage").forEach((el) => el.addEventListener("change", render));
  $(".ax-controls").style.display = "";
  root.dataset.live = "1";
  render();
})
