// Training-timeline explorer: a slider over snapshots saved during training. Each shows the
// loss curve so far, one cross-attention map and the greedy translation of a held-out sentence.
// The same view as timeline_view_html in timeline.py, rendered from the embedded data.
(function (rootId) {
  const root = document.getElementById(rootId);
  if (!root || root.dataset.live === "1") return;
  const data = JSON.parse(root.querySelector("script.tl-data").textContent);
  const $ = (sel) => root.querySelector(sel);
  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/'/g, "&#39;");
  // the words written here, in the page's language (data.labels, from timeline_labels() in timeline.py);
  // the English stands in for a key the data lacks (a page built before the labels existed)
  const EN = {
    "head": "step <b>{step}</b> \u2014 training loss <b>{loss}</b>",
    "accuracy": " \u2014 held-out exact match <b>{acc}%</b>",
    "nothing": "(nothing)",
    "reference": "\u2717 (reference: {reference})",
    "loss_caption": "training loss (log scale)",
    "cross_caption": "cross-attention, last decoder layer (mean of heads); row \u2192w writes w",
    "axis": "step",
    "play": "play",
    "pause": "pause",
    "position": "step {step}/{last}",
    "mark": "exact match > {p}%"
  };
  const L = Object.assign({}, EN, data.labels || {});
  const say = (key, f) => L[key].replace(/\{(\w+)\}/g, (m, k) => (f && k in f ? String(f[k]) : m));
  const [W, H, PL, PB, PT, PR] = data.plot;
  const pts = data.points, snaps = data.snapshots;

  function svg(step) {
    const x0 = PL, x1 = W - PR, y1 = H - PB;
    const line = (p) => p.map((q) => q[0] + "," + q[1]).join(" ");
    const ticks = data.axis.ticks.map((t) =>
      "<line x1='" + (x0 - 3) + "' x2='" + x0 + "' y1='" + t[0] + "' y2='" + t[0] + "' stroke='#666'/>" +
      "<text x='" + (x0 - 5) + "' y='" + (t[0] + 4) + "' font-size='13' text-anchor='end'>" + esc(t[1]) + "</text>").join("");
    const c = pts[step];
    let mark = "";
    if (data.mark) {  // a dashed line where held-out exact match first exceeds the level, and its label
      const mx = pts[data.mark.step][0], left = mx > (x0 + x1) / 2;
      mark = "<line class='tl-mark' x1='" + mx + "' x2='" + mx + "' y1='" + PT + "' y2='" + y1 +
        "' stroke='#1b7f3b' stroke-dasharray='4 3'/><text x='" + (left ? mx - 4 : mx + 4) + "' y='" + (PT + 12) +
        "' font-size='13' fill='#1b7f3b' text-anchor='" + (left ? "end" : "start") + "'>" +
        esc(say("mark", { p: Math.round(100 * data.mark.level) })) + "</text>";
    }
    return "<svg class='tl-svg' width='" + W + "' height='" + H + "' viewBox='0 0 " + W + " " + H + "'>" +
      "<line x1='" + x0 + "' x2='" + x0 + "' y1='" + PT + "' y2='" + y1 + "' stroke='#666'/>" +
      "<line x1='" + x0 + "' x2='" + x1 + "' y1='" + y1 + "' y2='" + y1 + "' stroke='#666'/>" + ticks +
      "<text x='" + x0 + "' y='" + (y1 + 16) + "' font-size='13'>0</text>" +
      "<text x='" + x1 + "' y='" + (y1 + 16) + "' font-size='13' text-anchor='end'>" + (pts.length - 1) + "</text>" +
      "<text x='" + (x0 + x1) / 2 + "' y='" + (y1 + 16) + "' font-size='13' text-anchor='middle'>" + esc(L.axis) + "</text>" +
      mark + "<polyline points='" + line(pts) + "' fill='none' stroke='#d0d0d0' stroke-width='1'/>" +
      "<polyline class='tl-done' points='" + line(pts.slice(0, step + 1)) + "' fill='none' stroke='#2166ac' stroke-width='1.5'/>" +
      "<circle cx='" + c[0] + "' cy='" + c[1] + "' r='3.5' fill='#b3261e'/></svg>";
  }

  function table(cross) {
    let h = "<div class='tl-scroll'><table class='tl-table'><tr><th></th>" + data.src.map((t) => "<th>" + esc(t) + "</th>").join("") + "</tr>";
    cross.forEach((row, i) => {
      h += "<tr><th>\u2192" + esc(data.rows[i]) + "</th>" + row.map((x) =>
        "<td style='background:rgba(33,102,172," + (0.05 + 0.95 * x).toFixed(3) + ");color:" +
        (x > 0.55 ? "white" : "black") + "'>" + x.toFixed(2) + "</td>").join("") + "</tr>";
    });
    return h + "</table></div>";
  }

  function render() {
    const i = Number($(".tl-slider").value), s = snaps[i];
    const acc = data.accuracy ? data.accuracy[i] : null;
    const ok = s.translation.join(" ") === data.reference.join(" ");
    const hyp = s.translation.join(" ") || L.nothing;
    $(".tl-view").innerHTML =
      "<div class='tl-head'>" + say("head", { step: s.step, loss: data.losses[s.step].toFixed(3) }) +
      (acc === null || acc === undefined ? "" : say("accuracy", { acc: Math.round(100 * acc) })) +
      "</div><div class='tl-out'>" + esc(data.src.join(" ")) + " \u2192 <span class='" + (ok ? "tl-ok" : "tl-bad") +
      "'>" + esc(hyp) + "</span> " + (ok ? "\u2713" : say("reference", { reference: esc(data.reference.join(" ")) })) + "</div>" +
      "<div class='tl-grid'><div><div class='tl-caption'>" + esc(L.loss_caption) + "</div>" + svg(s.step) +
      "</div><div><div class='tl-caption'>" + esc(L.cross_caption) + "</div>" + table(s.cross) +
      "</div></div>";
    $(".tl-label").textContent = say("position", { step: s.step, last: pts.length - 1 });
    root.dataset.state = String(i);
  }

  let timer = null;
  function button(playing) {  // ▶ or ❚❚, its word (play, pause) as its title and accessible name
    const b = $(".tl-play"), word = playing ? L.pause : L.play;
    b.textContent = playing ? "\u275a\u275a" : "\u25b6";
    b.title = word;
    b.setAttribute("aria-label", word);
  }
  function stop() { if (timer) { clearInterval(timer); timer = null; button(false); } }
  $(".tl-play").addEventListener("click", () => {
    if (timer) { stop(); return; }
    const sl = $(".tl-slider");
    if (Number(sl.value) >= snaps.length - 1) sl.value = 0;
    button(true);
    render();
    timer = setInterval(() => {
      if (Number(sl.value) >= snaps.length - 1) { stop(); return; }
      sl.value = Number(sl.value) + 1;
      render();
    }, 400);
  });
  $(".tl-slider").addEventListener("input", () => { stop(); render(); });
  $(".tl-controls").style.display = "";
  root.dataset.live = "1";
  render();
})
