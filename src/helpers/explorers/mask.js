// Mask explorer: pick a layer and head, toggle the padding and causal masks, the fill value, and
// whether padded queries are masked too; see the mask, the masked scores and the softmax weights.
// Rows with no allowed key are flagged: NaN with −∞, silently uniform with −1e9.
(function (rootId) {
  const root = document.getElementById(rootId);
  if (!root || root.dataset.live === "1") return;
  const data = JSON.parse(root.querySelector("script.mx-data").textContent);
  const $ = (sel) => root.querySelector(sel);
  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/'/g, "&#39;");
  const toks = data.tokens, n = toks.length, isPad = toks.map((t) => t === "<pad>");
  const rows = data.rows || toks;  // row labels: the querying positions ("→猫": the row that writes 猫)
  // the words written here, in the page's language (data.labels, from mask_labels() in mask.py);
  // the English stands in for a key the data lacks (a page built before the labels existed)
  const EN = {
    "nan": "{nan} weights are NaN: a fully masked row with \u2212\u221e is 0/0.",
    "empty_one": "Every row sums to 1, but {n} row has no allowed key: \u22121e9 made it uniform ({share} on each of {keys} keys, the forbidden ones included). A silent bug: no error, no NaN, wrong weights (rows marked in orange).",
    "empty_many": "Every row sums to 1, but {n} rows have no allowed key: \u22121e9 made them uniform ({share} on each of {keys} keys, the forbidden ones included). A silent bug: no error, no NaN, wrong weights (rows marked in orange).",
    "ok": "Every row sums to 1."
  };
  const L = Object.assign({}, EN, data.labels || {});
  const say = (key, f) => L[key].replace(/\{(\w+)\}/g, (m, k) => (f && k in f ? String(f[k]) : m));
  function state() {
    return { pad: $(".mx-pad").checked, causal: $(".mx-causal").checked, rows: $(".mx-rows").checked,
             fill: root.querySelector(".mx-fill:checked").value, layer: +$(".mx-layer").value, head: +$(".mx-head").value };
  }
  function fmt(x) {
    if (Number.isNaN(x)) return "NaN";
    if (x === -Infinity) return "\u2212\u221e";
    if (x <= -1e8) return "\u22121e9";
    return x.toFixed(2).replace("-", "\u2212");  // a true minus, as in \u2212\u221e
  }
  function colour(x, kind, scale) {  // scores: diverging around zero, as in the chapter's heatmaps
    if (kind === "mask") return [x ? "#b7e4c7" : "#f4a6a6", "black"];
    if (Number.isNaN(x)) return ["#ff4d4d", "black"];
    if (kind === "weights") return ["rgba(33,102,172," + (0.05 + 0.95 * x).toFixed(3) + ")", x > 0.55 ? "white" : "black"];
    if (x === -Infinity || x <= -1e8) return ["#d0d0d0", "black"];
    const t = scale > 0 ? Math.max(-1, Math.min(1, x / scale)) : 0;
    return ["rgba(" + (t > 0 ? "178,24,43," : "33,102,172,") + (Math.abs(t) * 0.9).toFixed(3) + ")", Math.abs(t) > 0.6 ? "white" : "black"];
  }
  function table(m, kind, bad) {
    const scale = kind === "scores" ? Math.max(0, ...m.flat().filter((x) => x > -1e8).map(Math.abs)) : 1;
    const cls = (j) => (isPad[j] ? " class='mx-p'" : "");  // narrow <pad> columns: the tables fit a phone
    let h = "<table class='mx-table'><tr><th></th>" + toks.map((t, j) => "<th" + cls(j) + ">" + esc(t) + "</th>").join("") + "</tr>";
    m.forEach((row, i) => {
      h += "<tr class='" + (bad[i] ? "mx-bad" : "") + "'><th>" + esc(rows[i]) + "</th>" + row.map((x, j) => {
        const c = colour(x, kind, scale);
        const txt = kind === "mask" ? (x ? "\u2713" : "\u2717") : fmt(x);
        return "<td" + cls(j) + " style='background:" + c[0] + ";color:" + c[1] + "'>" + txt + "</td>";
      }).join("") + "</tr>";
    });
    return h + "</table>";
  }
  function render() {
    const s = state();
    const raw = data.scores[s.layer][s.head];
    const mask = raw.map((r, i) => r.map((_, j) =>
      !(s.pad && isPad[j]) && !(s.causal && j > i) && !(s.rows && s.pad && isPad[i])));
    const empty = mask.map((r) => !r.some((x) => x));
    const fill = s.fill === "inf" ? -Infinity : -1e9;
    const scores = raw.map((r, i) => r.map((x, j) => (mask[i][j] ? x : fill)));
    const weights = scores.map((r) => {
      const m = Math.max(...r);
      const e = r.map((x) => Math.exp(x - m)), z = e.reduce((a, b) => a + b, 0);
      return e.map((x) => x / z);   // plain softmax: a row of only -inf gives NaN (0/0)
    });
    $(".mx-mask").innerHTML = table(mask, "mask", empty);
    $(".mx-scores").innerHTML = table(scores, "scores", empty);
    $(".mx-weights").innerHTML = table(weights, "weights", empty);
    const nan = weights.flat().filter((x) => Number.isNaN(x)).length, nEmpty = empty.filter((x) => x).length;
    const note = $(".mx-note");
    if (nan) note.textContent = say("nan", { nan: nan });
    else if (nEmpty) note.textContent = say(nEmpty > 1 ? "empty_many" : "empty_one", { n: nEmpty, share: (1 / n).toFixed(2), keys: n });
    else note.textContent = say("ok");
    note.classList.toggle("mx-warn", nan > 0 || nEmpty > 0);
    root.dataset.state = [s.pad, s.causal, s.rows, s.fill, nan, s.layer, s.head, nEmpty].join("|");
  }
  root.querySelectorAll("input, select").forEach((el) => el.addEventListener("change", render));
  $(".mx-controls").style.display = "";
  root.dataset.live = "1";
  render();
})
