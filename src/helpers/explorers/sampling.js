// Sampling explorer: the next-token distribution of the poem GPT at one position, and what
// temperature, top-k and top-p keep of it. The same arithmetic and view as cut() and
// sampling_view_html in sampling.py, computed from the embedded logits (and, for top-p with top-k off,
// the exact count of kept tokens stored for every slider setting).
(function (rootId) {
  const root = document.getElementById(rootId);
  if (!root || root.dataset.live === "1") return;
  const data = JSON.parse(root.querySelector("script.se-data").textContent);
  const $ = (sel) => root.querySelector(sel);
  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/'/g, "&#39;");
  // the words written here, in the page's language (data.labels, from sampling_labels() in sampling.py);
  // the English stands in for a key the data lacks (a page built before the labels existed)
  const EN = {
    "off": "off",
    "rank": "rank {rank}, {p0} \u2192 {p}",
    "not_top": "not among the top {top}",
    "head": "next token after token {pos}: the poem has “<b>{next}</b>” ({where}) \u2014 <b>{kept}</b> of {vocab} tokens survive the cut",
    "note": "grey: probability at temperature 1, no cut; blue: what sampling draws from (bars scaled to the largest). The other {others} tokens: {p0} \u2192 {p} ({kept} kept)."
  };
  const L = Object.assign({}, EN, data.labels || {});
  const say = (key, f) => L[key].replace(/\{(\w+)\}/g, (m, k) => (f && k in f ? String(f[k]) : m));

  function softmaxGroups(gs, t) {
    let m = -Infinity;
    gs.forEach((g) => { if (g[1] > 0 && g[0] / t > m) m = g[0] / t; });
    const w = gs.map((g) => g[1] * Math.exp(g[0] / t - m));
    const z = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / z);
  }

  function cut(step, temperature, topK, topP) {
    const top = step.top.map((x) => x[1]);
    const groups = top.map((v) => [v, 1]).concat(step.rest.map((x) => [x[0], x[1]]));
    const p0 = softmaxGroups(groups, 1.0);
    let counts = groups.map((g) => g[1]);
    if (topK !== null) {
      if (topK <= top.length) {
        const kth = top[topK - 1];
        counts = groups.map((g, i) => (i < top.length && top[i] >= kth ? 1 : 0));
      } else {
        let left = topK - top.length;
        for (let i = top.length; i < groups.length; i++) {
          const take = Math.min(counts[i], left);
          left -= take;
          counts[i] = take;
        }
      }
    }
    // the exact count filter_logits keeps at this slider setting (top-k off), if the data holds it
    const gridIndex = (x, g) => {
      if (!g) return null;
      const i = Math.round((x - g[0]) / g[2]);
      return i >= 0 && i <= Math.round((g[1] - g[0]) / g[2]) && Math.abs(g[0] + i * g[2] - x) < 1e-6 ? i : null;
    };
    const ti = gridIndex(temperature, data.t_grid), pi = topP === null ? null : gridIndex(topP, data.p_grid);
    if (topP !== null && topK === null && step.top_p_kept && ti !== null && pi !== null) {
      let left = step.top_p_kept[ti * (Math.round((data.p_grid[1] - data.p_grid[0]) / data.p_grid[2]) + 1) + pi];
      for (let i = 0; i < groups.length; i++) {
        counts[i] = Math.min(counts[i], left);
        left -= counts[i];
      }
    } else if (topP !== null) {
      const alive = groups.map((g, i) => [g[0], counts[i]]);
      const mass = softmaxGroups(alive, temperature);
      let before = 0;
      alive.forEach((g, i) => {
        const n = g[1];
        if (n === 0) return;
        const per = mass[i] / n;
        if (before >= topP) counts[i] = 0;
        else if (before + mass[i] >= topP) counts[i] = Math.min(n, Math.max(1, Math.ceil((topP - before) / per - 1e-9)));
        before += mass[i];
      });
    }
    const fin = softmaxGroups(groups.map((g, i) => [g[0], counts[i]]), temperature);
    const nTop = top.length;
    const sum = (a) => a.reduce((x, y) => x + y, 0);
    return {p0: p0.slice(0, nTop), p: fin.slice(0, nTop), kept: sum(counts), rest0: sum(p0.slice(nTop)),
            rest: sum(fin.slice(nTop)), restKept: sum(counts.slice(nTop))};
  }

  const fmt = (x) => (x >= 0.001 || x === 0 ? (100 * x).toFixed(1) + "%" : "<0.1%");

  function render() {
    const pi = Number($(".se-prompt").value), pr = data.prompts[pi];
    const posEl = $(".se-pos");
    posEl.max = String(pr.steps.length - 1);
    const pos = Math.min(Number(posEl.value), pr.steps.length - 1);
    const t = Number($(".se-t").value), k = Number($(".se-k").value), p = Number($(".se-p").value);
    const topK = k > 0 ? k : null, topP = p < 1 ? p : null;
    $(".se-posv").textContent = String(pos);
    $(".se-tv").textContent = t.toFixed(2);
    $(".se-kv").textContent = topK === null ? L.off : String(k);
    $(".se-pv").textContent = topP === null ? L.off : p.toFixed(2);
    const r = cut(pr.steps[pos], t, topK, topP);
    const toks = pr.tokens, nxt = toks[pos + 1];
    let rows = "";
    const scale = Math.max(...r.p0.slice(0, data.show), ...r.p.slice(0, data.show));  // the longest bar fills the row
    pr.steps[pos].top.slice(0, data.show).forEach((x, i) => {
      const a = r.p0[i], b = r.p[i];
      rows += "<tr" + (b === 0 ? " class='se-cut'" : "") + "><td class='se-tok'>" + esc(x[0]) + "</td><td><div class='se-bar'>" +
        "<div class='se-b0' style='width:" + (100 * a / scale).toFixed(1) + "%'></div>" +
        "<div class='se-b1' style='width:" + (100 * b / scale).toFixed(1) + "%'></div></div></td><td>" + fmt(a) + " \u2192 " + fmt(b) +
        (x[0] === nxt ? " \u25c0" : "") + "</td></tr>";
    });
    const show = Math.min(data.show, r.p0.length);
    const others = data.vocab_size - show;  // every token not in the table
    const sum = (a) => a.reduce((x, y) => x + y, 0);
    const hidden0 = r.rest0 + sum(r.p0.slice(show)), hidden = r.rest + sum(r.p.slice(show));
    const hiddenKept = r.restKept + r.p.slice(show).filter((b) => b > 0).length;
    const j = pr.steps[pos].top.findIndex((x) => x[0] === nxt);
    const where = j >= 0 ? say("rank", { rank: j + 1, p0: fmt(r.p0[j]), p: fmt(r.p[j]) }) : say("not_top", { top: data.top });
    $(".se-view").innerHTML =
      "<div class='se-context'>" + toks.slice(0, pos + 1).map(esc).join("") + "<span class='se-next'>" + esc(nxt) +
      "</span><span class='se-future'>" + toks.slice(pos + 2).map(esc).join("") + "</span></div>" +
      "<div class='se-head'>" + say("head", { pos: pos, next: esc(nxt), where: where, kept: Number(r.kept).toLocaleString("en-US"), vocab: Number(data.vocab_size).toLocaleString("en-US") }) +
      "</div><div class='se-scroll'><table class='se-table'>" + rows + "</table></div>" +
      "<div class='se-note'>" + say("note", { others: others.toLocaleString("en-US"), p0: fmt(hidden0), p: fmt(hidden), kept: hiddenKept.toLocaleString("en-US") }) + "</div>";
    root.dataset.state = [pi, pos, t, k, p, r.kept].join(",");
  }

  root.querySelectorAll("select, input").forEach((el) => el.addEventListener("input", render));
  $(".se-prompt").addEventListener("change", render);
  $(".se-controls").style.display = "";
  root.dataset.live = "1";
  render();
})
