// LayerNorm explorer: a slider over the input spread σ; the d = 4 input, its nn.LayerNorm output and
// the output of x.std() + eps, and both outputs' spreads at d = 4 and 512. Every number was computed
// in Python with torch (layernorm.py); this script only shows the precomputed row the slider points
// at, with the same HTML as layernorm_view_html.
(function (rootId) {
  const root = document.getElementById(rootId);
  if (!root || root.dataset.live === "1") return;
  const data = JSON.parse(root.querySelector("script.ln-data").textContent);
  const $ = (sel) => root.querySelector(sel);
  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/'/g, "&#39;");
  // the words written here, in the page's language (data.labels, from layernorm_labels() in layernorm.py);
  // the English stands in for a key the data lacks (a page built before the labels existed)
  const EN = {
    "sigma": "input spread \u03c3 = {s}",
    "input": "input x ({d} features)",
    "spread": "spread {v}",
    "width": "output spread",
    "diff": "largest difference"
  };
  const L = Object.assign({}, EN, data.labels || {});
  const say = (key, f) => L[key].replace(/\{(\w+)\}/g, (m, k) => (f && k in f ? String(f[k]) : m));
  const REFERENCE = "nn.LayerNorm", NAIVE = "x.std() + eps", BAR_FULL = 1.5;
  const fmt = (v) => v.toFixed(3).replace("-", "\u2212");

  function cells(values, texts, full) {
    return "<div class='ln-cells'>" + values.map((v, j) => {
      const w = Math.min(Math.abs(v) / full, 1) * 50;
      const left = v >= 0 ? 50 : 50 - w;
      const colour = v >= 0 ? "#b2182b" : "#2166ac";
      return "<div class='ln-cell'>" + esc(texts[j]) + "<div class='ln-bar'><span style='left:" + left.toFixed(1) +
        "%;width:" + w.toFixed(1) + "%;background:" + colour + "'></span></div></div>";
    }).join("") + "</div>";
  }

  function view(i) {
    const r = data.rows[i];
    const xFull = Math.max(...r.x.map(Math.abs)) || 1;
    let out = "<div class='ln-sigma'>" + esc(say("sigma", { s: r.sigma_text })) + "</div>";
    out += "<div class='ln-row'>" + esc(say("input", { d: 4 })) + "</div>" + cells(r.x, r.x_text, xFull);
    [[REFERENCE, "ln", 0], [NAIVE, "naive", 1]].forEach(([name, key, k]) => {
      out += "<div class='ln-row'><span class='ln-name'>" + esc(name) + "</span><span class='ln-sp'>" +
        esc(say("spread", { v: fmt(r.spread4[k]) })) + "</span></div>" + cells(r[key], r[key].map(fmt), BAR_FULL);
    });
    let body = [[REFERENCE, 0], [NAIVE, 1]].map(([name, k]) => "<tr><th class='ln-name'>" + esc(name) + "</th>" +
      [4, 512].map((d) => "<td>" + fmt(r["spread" + d][k]) + "</td>").join("") + "</tr>").join("");
    body += "<tr><th>" + esc(L.diff) + "</th>" + [4, 512].map((d) => "<td>" + fmt(r["diff" + d]) + "</td>").join("") + "</tr>";
    out += "<table class='ln-table'><tr><th>" + esc(L.width) + "</th>" + [4, 512].map((d) => "<th>d = " + d + "</th>").join("") +
      "</tr>" + body + "</table>";
    return out;
  }

  function render() {
    const i = Number($(".ln-slider").value);
    $(".ln-view").innerHTML = view(i);
    root.dataset.state = String(i);
  }

  $(".ln-slider").addEventListener("input", render);
  $(".ln-controls").style.display = "";
  root.dataset.live = "1";
  render();
})
