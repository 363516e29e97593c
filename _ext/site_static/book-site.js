/* The book's site-level script, added to every page by _ext/site_assets.py.
 *
 * sphinx-togglebutton 0.4.5 (the newest release) opens a collapsed admonition, such as a
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
