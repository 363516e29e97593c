// Post-training explorer: one instruction's answers from several models, with their form checks.
// The same view as post_view_html in post_training.py, rendered from the embedded data.
(function (rootId) {
  const root = document.getElementById(rootId);
  if (!root || root.dataset.live === "1") return;
  const data = JSON.parse(root.querySelector("script.pt-data").textContent);
  const $ = (sel) => root.querySelector(sel);
  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/'/g, "&#39;");
  // the words written here, in the page's language (data.labels, from post_training_labels() in post_training.py);
  // the English stands in for a key the data lacks (a page built before the labels existed)
  const EN = {
    "ask": "({form}: {lines} lines of {chars}, first character {first})",
    "form": "form",
    "first": "first character",
    "empty": "(empty)"
  };
  const L = Object.assign({}, EN, data.labels || {});
  const say = (key, f) => L[key].replace(/\{(\w+)\}/g, (m, k) => (f && k in f ? String(f[k]) : m));
  const badge = (ok, text) => "<span class='pt-badge " + (ok ? "pt-ok" : "pt-bad") + "'>" + (ok ? "\u2713" : "\u2717") + " " + esc(text) + "</span>";

  function render() {
    const i = Number($(".pt-prompt").value), p = data.prompts[i];
    let out = "<div class='pt-ask'>" + esc(p.instruction) + " <span class='pt-n'>" +
      esc(say("ask", { form: p.form_zh, lines: p.n_lines, chars: p.chars, first: p.first })) + "</span></div>";
    data.models.forEach((name, m) => {
      const a = p.answers[m];
      const lines = a.lines.map((line, j) => "<div class='pt-line" + (a.lengths[j] === p.chars ? "" : " pt-wrong") + "'>" +
        esc(line) + "<span class='pt-n'>" + a.lengths[j] + "</span></div>").join("");
      out += "<div class='pt-card'><span class='pt-name'>" + esc(name) + "</span>" + badge(a.form_ok, L.form) +
        badge(a.first_ok, L.first) + badge(a.punct_ok, "\uff0c\u3002") + "<div class='pt-lines'>" + (lines || esc(L.empty)) + "</div></div>";
    });
    $(".pt-view").innerHTML = out;
    root.dataset.state = String(i);
  }

  const n = data.prompts.length;
  $(".pt-prompt").addEventListener("change", render);
  $(".pt-prev").addEventListener("click", () => { $(".pt-prompt").value = String((Number($(".pt-prompt").value) + n - 1) % n); render(); });
  $(".pt-next").addEventListener("click", () => { $(".pt-prompt").value = String((Number($(".pt-prompt").value) + 1) % n); render(); });
  $(".pt-controls").style.display = "";
  root.dataset.live = "1";
  render();
})
