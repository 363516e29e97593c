// Attention explorer: pick sentence, attention kind, layer, head and stage; click a query
// token to see what it attends to. Everything is computed here from the raw Q K^T scores
// embedded in the page (no kernel, no network), exactly as helpers.attention does.
(function (rootId) {
  const root = document.getElementById(rootId);
  if (!root || root.dataset.live === "1") return;
  const data = JSON.parse(root.querySelector("script.ax-data").textContent);
  const $ = (sel) => root.querySelector(sel);
  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/'/g, "&#39;");
  const sSel = $(".ax-sentence"), kSel = $(".ax-kind"), lSel = $(".ax-layer"), hSel = $(".ax-head");
  const view = $(".ax-view"), focus = $(".ax-focus");
  let query = 0;
  data.sentences.forEach((s, i) => sSel.add(new Option(s.name, i)));
  Object.keys(data.sentences[0].kinds).forEach((k) => kSel.add(new Option(data.kind_names[k] || k, k)));
  // optional data.layer_names / data.head_names label the options (e.g. a few layers of a big model)
  for (let l = 0; l < data.n_layers; l++) lSel.add(new Option((data.layer_names || [])[l] || "layer " + (l + 1), l));
  for (let h = 0; h < data.n_heads; h++) hSel.add(new Option((data.head_names || [])[h] || "head " + (h + 1), h));
  function stage() { return root.querySelector(".ax-stage:checked").value; }
  function current() {
    const s = data.sentences[sSel.value], k = s.kinds[kSel.value];
    const raw = k.scores[lSel.value][hSel.value], mask = k.mask, dk = data.d_k;
    const scaled = raw.map((r) => r.map((x) => x / Math.sqrt(dk)));
    const masked = scaled.map((r, i) => r.map((x, j) => (mask[i][j] ? x : -Infinity)));
    const weights = masked.map((r) => {
      const m = Math.max(...r);
      if (m === -Infinity) return r.map(() => 0);  // fully masked row: zeros, as in helpers
      const e = r.map((x) => Math.exp(x - m)), z = e.reduce((a, b) => a + b, 0);
      return e.map((x) => x / z);
    });
    return { k, m: { raw: raw, scaled: scaled, masked: masked, weights: weights }[stage()], weights };
  }
  function colour(x, lo, hi, isWeight) {
    if (x === -Infinity) return "#d0d0d0";
    const t = hi > lo ? (x - lo) / (hi - lo) : 0.5;
    if (isWeight) return "rgba(33, 102, 172," + (0.05 + 0.95 * x) + ")";
    return "rgba(" + Math.round(255 - 120 * t) + "," + Math.round(255 - 60 * t) + ",255,1)";
  }
  function fmt(x) { return x === -Infinity ? "\u2212\u221e" : x.toFixed(2); }
  function render() {
    const { k, m, weights } = current();
    if (query >= k.q_tokens.length) query = 0;
    const finite = m.flat().filter((x) => x !== -Infinity);
    const lo = Math.min(...finite), hi = Math.max(...finite), isW = stage() === "weights";
    let html = "<table class='ax-table'><tr><th></th>" +
      k.k_tokens.map((t) => "<th class='ax-col'>" + esc(t) + "</th>").join("") + "</tr>";
    m.forEach((row, i) => {
      html += "<tr class='" + (i === query ? "ax-sel" : "") + "'><th class='ax-q' data-i='" + i + "'>" + esc(k.q_tokens[i]) + "</th>" +
        row.map((x) => "<td style='background:" + colour(x, lo, hi, isW) + ";color:" + (isW && x > 0.55 ? "white" : "black") + "'>" + fmt(x) + "</td>").join("") + "</tr>";
    });
    view.innerHTML = html + "</table>";
    view.querySelectorAll(".ax-q").forEach((th) => th.addEventListener("click", () => { query = +th.dataset.i; render(); }));
    const w = weights[query];
    focus.innerHTML = "<b>" + esc(k.q_tokens[query]) + "</b> attends to: " + k.k_tokens.map((t, j) => !k.mask[query][j] ? "" :  // only keys the query may see
      "<span class='ax-tok' style='background:rgba(33,102,172," + w[j].toFixed(3) + ");color:" + (w[j] > 0.55 ? "white" : "black") +
      "' title='" + w[j].toFixed(3) + "'>" + esc(t) + "</span>").filter((x) => x).join(" ");
    root.dataset.state = [sSel.value, kSel.value, lSel.value, hSel.value, stage(), query].join("|");
  }
  [sSel, kSel, lSel, hSel].forEach((el) => el.addEventListener("change", () => { query = 0; render(); }));
  root.querySelectorAll(".ax-stage").forEach((el) => el.addEventListener("change", render));
  $(".ax-controls").style.display = "";
  root.dataset.live = "1";
  render();
})
