/* The book's site-level script, added to the <head> of every page by _ext/site_assets.py. */

/* 1. Chinese text on machines without a CJK font uses the site's Noto Sans SC (see
 * book-site.css): "Book CJK", the page's own font with exactly its characters, declared in the
 * page's <head>. Every page shows some Chinese (the sidebar's "Glossary · 术语表"), so the
 * font is asked for at once. Chromium (seen with 156) keeps drawing a line of text that it
 * shaped before the font arrived as empty boxes, even after the font has loaded and the page
 * is laid out again; a change of the text's font settings makes it shape that text afresh.
 * So once the font is there, <html> gets the class "book-cjk-ready", whose only style is
 * `text-rendering: optimizeLegibility` (the same kerning and ligatures as the default).
 *
 * Characters that are on no page (typed into an explorer, or in the search page's excerpts of
 * other pages) come from "Book CJK SC", the font's unicode-range slices: their stylesheet is
 * added at the first keystroke or on the search page, and the browser then fetches only the
 * slices of the characters shown. Each font that arrives later makes the text shaped afresh
 * in the same way (the class "book-cjk-more" toggles `font-kerning` between two values
 * that draw alike).
 */
(() => {
  if (!document.fonts || !document.fonts.load) return;
  const root = document.documentElement;
  document.fonts.load('1em "Book CJK"', "\u4e00").then((faces) => {
    if (faces.length) root.classList.add("book-cjk-ready");
  }, () => {});
  const script = document.currentScript;
  if (!script || !script.src) return;
  const slices = new URL("../_vendor/fonts/book-cjk-sc.css", script.src).href;
  let added = false;
  const addSlices = () => {
    if (added) return;
    added = true;
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = slices;
    document.head.appendChild(link);
    document.fonts.addEventListener("loadingdone", () => {
      if (root.classList.contains("book-cjk-ready")) root.classList.toggle("book-cjk-more");
    });
  };
  for (const type of ["keydown", "beforeinput", "compositionstart", "paste"]) {
    document.addEventListener(type, addSlices, {capture: true, once: true});
  }
  if (/\/search\.html$/.test(location.pathname)) addSlices();
})();

/* 2. sphinx-togglebutton 0.4.5 (the newest release) opens a collapsed admonition, such as a
 * solution, when its title is clicked, but only when the click lands on the title element
 * itself or on its chevron. A click on anything inside the title (the "Exercise 1.2" link of
 * "Solution to Exercise 1.2", a <span>, math) throws "ReferenceError: button is not defined"
 * and nothing opens. Here, in the capture phase, such a click is stopped and replayed on the
 * title element, which togglebutton handles. A link inside the title opens the solution
 * instead of jumping to the exercise just above it.
 */
document.addEventListener("click", (event) => {
  const target = event.target;
  if (!(target instanceof Element)) return;
  const title = target.closest(".admonition.toggle > .admonition-title");
  if (!title || target === title) return;
  event.preventDefault();
  event.stopPropagation();
  title.click();
}, true);

/* 3. Printing (or saving as PDF from the browser): folded code cells are <details> elements,
 * which CSS cannot open; open them all just before the page is printed. Solutions are opened
 * by book-site.css's print rules. */
window.addEventListener("beforeprint", () => {
  for (const d of document.querySelectorAll(".bd-article details")) d.open = true;
});

/* 4. Printed output (book-site.css): printed source code (a line "def name(" or "class Name"
 * and an indented line, as helpers.llama.show.teaching_source prints) gets the class "listing"
 * and, like a code cell, never wraps: a wrapped line would start at column 0 and scramble the
 * indentation. On a phone, a block whose lines line up in columns (two or more of its lines hold
 * a run of two spaces between words) is a table and keeps its layout; any other block gets the
 * class "wraps" and wraps inside the column. */
(() => {
  const columns = / {2,}\S/;
  const header = /^((async +)?def +\w+ *\(|class +[A-Za-z_]\w* *[(:])/m;
  const indented = /^ {4,}\S/m;
  const mark = () => {
    for (const pre of document.querySelectorAll(".bd-article .cell_output .output pre")) {
      const text = pre.textContent;
      if (header.test(text) && indented.test(text)) {
        pre.classList.add("listing");
        continue;
      }
      const aligned = text.split("\n").filter((line) => columns.test(line.trim())).length;
      if (aligned < 2) pre.classList.add("wraps");
    }
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mark);
  else mark();
})();

/* 5. Punctuation after inline math on a phone: a line may break between a formula and the
 * comma, full stop or bracket that follows it, so a line starts with "," or "。". Once MathJax
 * has typeset the page, each inline formula followed directly by such punctuation is wrapped
 * with that punctuation in a span that does not break (unless the formula is wider than 60% of
 * the column, where the unbreakable pair could overflow it). */
(() => {
  const punct = /^[,.;:!?)\]，。；：！？）】、”’]+/;
  const glue = () => {
    const column = (document.querySelector(".bd-article") || document.body).clientWidth;
    for (const m of document.querySelectorAll('mjx-container:not([display="true"])')) {
      // a wide formula may need the whole line: gluing a comma to it could push it past the edge
      if (m.getBoundingClientRect().width > 0.6 * column) continue;
      const parent = m.parentNode;
      const e = parent && parent.classList && parent.classList.contains("math") ? parent : m;
      const next = e.nextSibling;
      if (!next || next.nodeType !== Node.TEXT_NODE) continue;
      if (e.parentNode.classList && e.parentNode.classList.contains("math-nowrap")) continue;
      const head = next.data.match(punct);
      if (!head) continue;
      const wrap = document.createElement("span");
      wrap.className = "math-nowrap";
      e.replaceWith(wrap);
      wrap.append(e, head[0]);
      next.data = next.data.slice(head[0].length);
    }
  };
  const run = () => {
    const startup = window.MathJax && window.MathJax.startup;
    if (startup && startup.promise) startup.promise.then(glue);
    else glue();
  };
  if (document.readyState === "complete") run();
  else window.addEventListener("load", run);
})();

/* 6. The glossary is long on a phone (about 50,000 px): an "A–Z" link in the page's sticky header
 * bar, beside the menu button, takes the reader back to its index (book-site.css shows it below
 * 1200 px, where the page has no "On this page" sidebar). In the header it never covers the text,
 * as a button floating over the page did. Only a page with the label (glossary-index)= and a
 * glossary gets it. */
(() => {
  const add = () => {
    if (!document.getElementById("glossary-index") || !document.querySelector(".bd-article dl.glossary")) return;
    const link = document.createElement("a");
    link.href = "#glossary-index";
    link.className = "book-az-link";
    link.textContent = document.documentElement.lang.startsWith("zh") ? "索引" : "A–Z";
    link.title = document.documentElement.lang.startsWith("zh") ? "返回索引" : "Back to the index";
    const bar = document.querySelector(".bd-header-article .header-article-items__start");
    if (!bar) return;  // no header bar: no link, rather than one floating over the text
    const item = document.createElement("div");
    item.className = "header-article-item";
    item.append(link);
    bar.classList.add("book-az-bar");  // book-site.css: the menu button and the link side by side
    bar.append(item);
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", add);
  else add();
})();

/* 7. Optional sections fold (_ext/optional_sections.py: <details class="optional-section">). A link,
 * an "On this page" entry or the address's #fragment that points inside a closed fold opens it (and
 * every fold around the target) and scrolls there: on load, on hashchange, and on a click on a link
 * to this page (a second click on the same link fires no hashchange). Printing opens every fold
 * (3. above). When a fold opens, the page is told it resized, so anything that drew itself while
 * hidden lays itself out again (and see MathJax below). */
(() => {
  const FOLD = "details.optional-section";
  const laidOutWhileHidden = !!(window.CSS && CSS.supports && CSS.supports("selector(::details-content)"));
  const target = (hash) => {
    if (!hash || hash.length < 2) return null;
    let id = hash.slice(1);
    try { id = decodeURIComponent(id); } catch (e) { /* keep it as it is */ }
    return document.getElementById(id);
  };
  const openAround = (el) => {
    let opened = false;
    for (let d = el && el.closest(FOLD); d; d = d.parentElement && d.parentElement.closest(FOLD)) {
      if (!d.open) { d.open = true; opened = true; }
    }
    return opened;
  };
  const reveal = (hash) => {
    const el = target(hash);
    if (el && openAround(el)) requestAnimationFrame(() => el.scrollIntoView());
  };
  const start = () => {
    reveal(location.hash);
    for (const d of document.querySelectorAll(FOLD)) {
      d.addEventListener("toggle", () => {
        if (!d.open) return;
        window.dispatchEvent(new Event("resize"));
        // Where a closed <details> hides its content with display:none (browsers without
        // ::details-content), MathJax measured the text of the formulas inside at zero width:
        // render them again, once, now that they are shown (about 10 ms a formula). Chromium
        // lays hidden content out when asked, so there they were measured right.
        const mj = window.MathJax;
        if (d.dataset.typeset || laidOutWhileHidden || !(mj && mj.startup && mj.startup.promise)) return;
        d.dataset.typeset = "1";
        mj.startup.promise.then(() => {
          const doc = mj.startup.document;
          for (const item of doc.getMathItemsWithin(d)) item.rerender(doc);
        }).catch(() => {});
      });
    }
  };
  window.addEventListener("hashchange", () => reveal(location.hash));
  document.addEventListener("click", (event) => {
    const a = event.target instanceof Element && event.target.closest("a[href*='#']");
    if (!a || a.origin !== location.origin || a.pathname !== location.pathname) return;
    const el = target(a.hash);
    if (el && openAround(el) && a.hash === location.hash) {
      event.preventDefault();
      requestAnimationFrame(() => el.scrollIntoView());
    }
  }, true);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
