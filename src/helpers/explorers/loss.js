// Loss explorer: a slider over the correct word's logit z_y and a label-smoothing check box; each
// word's softmax probability, the gradient of the loss on each logit and the loss. Every number was
// computed in Python with torch (loss.py); this script only shows the precomputed row the slider points
// at, with the same HTML as loss_view_html.
(function (rootId) {
  const root = document.getElementById(rootId);
  if (!root || root.dataset.live === "1") return;
  const data = JSON.parse(root.querySelector("script.lx-data").textContent);
  const $ = (sel) => root.querySelector(sel);
  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/'/g, "&#39;");
  // the words written here, in the page's language (data.labels, from loss_labels() in loss.py);
  // the English stands in for a key the data lacks (a page built before the labels existed)
  const EN = {
    "head": "logit of the correct word (id {y}): {v}",
    "p": "probability p",
    "grad0": "gradient p \u2212 e_y",
    "grad1": "gradient p \u2212 \u1ef9",
    "loss0": "loss = \u2212ln {p} = {v}",
    "loss1": "smoothed loss {v} (floor {f})",
    "smooth": "label smoothing \u03b5 = {e}",
    "slider": "z_y (correct word, id {y})"
  };
  const L = Object.assign({}, EN, data.labels || {});
  const say = (key, f) => L[key].replace(/\{(\w+)\}/g, (m, k) => (f && k in f ? String(f[k]) : m));
  const num = (v, d) => v.toFixed(d === undefined ? 3 : d).replace("-", "\u2212");

  function bar(v, centred, colour) {
    let w, left;
    if (centred) {
      w = Math.min(Math.abs(v), 1) * 50;
      left = v >= 0 ? 50 : 50 - w;
      colour = v >= 0 ? "#b2182b" : "#2166ac";
    } else {
      w = Math.min(Math.max(v, 0), 1) * 100;
      left = 0;
    }
    return "<div class='lx-bar'><span style='left:" + left.toFixed(1) + "%;width:" + w.toFixed(1) +
      "%;background:" + colour + "'></span></div>";
  }

  function view(i, smoothed) {
    const r = data.rows[i], k = smoothed ? 1 : 0, y = data.y;
    let out = "<div class='lx-head'>" + esc(say("head", { y: y, v: num(r.zy, 1) })) + "</div>" +
      "<div class='lx-grid'>" + "<div class='lx-th'>id</div><div class='lx-th'>z</div>" +
      "<div class='lx-th'>" + esc(L.p) + "</div><div class='lx-th'>" + esc(L["grad" + k]) + "</div>";
    data.logits.forEach((base, c) => {
      const z = c === y ? r.zy : base;
      const cls = c === y ? " class='lx-y'" : "";
      const p = r.p[c], g = r.grad[k][c];
      out += "<div" + cls + ">" + c + "</div><div" + cls + ">" + num(z, 1) + "</div>" +
        "<div" + cls + ">" + num(p) + bar(p, false, c === y ? "#08306b" : "#6baed6") + "</div>" +
        "<div" + cls + ">" + num(g) + bar(g, true, "") + "</div>";
    });
    out += "</div>";
    const text = smoothed ? say("loss1", { v: num(r.loss[1]), f: num(data.floor[1]) })
      : say("loss0", { p: String(Number(r.p[y].toPrecision(4))), v: num(r.loss[0]) });
    return out + "<div class='lx-loss'>" + esc(text) + "</div>";
  }

  function render() {
    const i = Number($(".lx-slider").value), smoothed = $(".lx-smooth").checked;
    $(".lx-view").innerHTML = view(i, smoothed);
    $(".lx-value").textContent = num(data.rows[i].zy, 1);
    root.dataset.state = i + (smoothed ? "s" : "");
  }

  $(".lx-zlabel").textContent = say("slider", { y: data.y });
  $(".lx-slider").addEventListener("input", render);
  $(".lx-smooth").addEventListener("change", render);
  $(".lx-controls").style.display = "";
  root.dataset.live = "1";
  render();
})
