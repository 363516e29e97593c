// Mask explorer: toggle the padding and causal masks, the fill value, and whether padded
// queries are masked too; see the mask, the masked scores and the softmax weights.
(function (rootId) {
  const root = document.getElementById(rootId);
  if (!root || root.dataset.live === "1") return;
  const data = JSON.parse(root.querySelector("script.mx-data").textContent);
  const $ = (sel) => root.querySelector(sel);
  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/'/g, "&#39;");
  const toks = data.tokens, n = toks.length, isPad = toks.map((t) => t === "<pad>");
  function state() {
    return { pad: $(".mx-pad").checked, causal: $(".mx-causal").checked, rows: $(".mx-rows").checked,
             fill: root.querySelector(".mx-fill:checked").value };
  }
  function fmt(x) {
    if (Number.isNaN(x)) return "NaN";
    if (x === -Infinity) return "\u2212\u221e";
    if (x <= -1e8) return "\u22121e9";
    return x.toFixed(2);
  }
  function table(m, kind) {
    let h = "<table class='mx-table'><tr><th></th>" + toks.map((t) => "<th>" + esc(t) + "</th>").join("") + "</tr>";
    m.forEach((row, i) => {
      h += "<tr><th>" + esc(toks[i]) + "</th>" + row.map((x) => {
        let bg = "#fff";
        if (kind === "mask") bg = x ? "#b7e4c7" : "#f4a6a6";
        else if (Number.isNaN(x)) bg = "#ff4d4d";
        else if (kind === "weights") bg = "rgba(33,102,172," + Math.max(0.03, x) + ")";
        else if (x === -Infinity || x <= -1e8) bg = "#d0d0d0";
        const txt = kind === "mask" ? (x ? "\u2713" : "\u2717") : fmt(x);
        return "<td style='background:" + bg + ";color:" + (kind === "weights" && x > 0.55 ? "white" : "black") + "'>" + txt + "</td>";
      }).join("") + "</tr>";
    });
    return h + "</table>";
  }
  function render() {
    const s = state();
    const mask = data.scores.map((r, i) => r.map((_, j) =>
      !(s.pad && isPad[j]) && !(s.causal && j > i) && !(s.rows && s.pad && isPad[i])));
    const fill = s.fill === "inf" ? -Infinity : -1e9;
    const scores = data.scores.map((r, i) => r.map((x, j) => (mask[i][j] ? x : fill)));
    const weights = scores.map((r) => {
      const m = Math.max(...r);
      const e = r.map((x) => Math.exp(x - m)), z = e.reduce((a, b) => a + b, 0);
      return e.map((x) => x / z);   // plain softmax: a row of only -inf gives NaN (0/0)
    });
    $(".mx-mask").innerHTML = table(mask, "mask");
    $(".mx-scores").innerHTML = table(scores, "scores");
    $(".mx-weights").innerHTML = table(weights, "weights");
    const nan = weights.flat().filter((x) => Number.isNaN(x)).length;
    $(".mx-note").textContent = nan ? nan + " weights are NaN: a fully masked row with \u2212\u221e is 0/0." :
      "Every row sums to 1.";
    root.dataset.state = [s.pad, s.causal, s.rows, s.fill, nan].join("|");
  }
  root.querySelectorAll("input").forEach((el) => el.addEventListener("change", render));
  $(".mx-controls").style.display = "";
  root.dataset.live = "1";
  render();
})
