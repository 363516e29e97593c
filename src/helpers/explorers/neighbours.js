// Nearest-rows explorer: pick a token, see the rows nearest to its row. The neighbours were
// computed in Python (neighbour_data in neighbours.py) and are embedded in the page as JSON;
// this script only swaps the rows of the table (no kernel, no network).
(function (rootId) {
  const root = document.getElementById(rootId);
  if (!root || root.dataset.live === "1") return;
  const data = JSON.parse(root.querySelector("script.nb-data").textContent);
  const pick = root.querySelector(".nb-pick"), body = root.querySelector(".nb-rows");
  function render() {
    const rows = data.neighbours[parseInt(pick.value, 10)] || [];
    body.innerHTML = "";
    rows.forEach((row, r) => {
      const tr = document.createElement("tr");
      [String(r + 1), row[0], row[1].toFixed(2)].forEach((text, c) => {
        const td = document.createElement("td");
        td.textContent = text;
        if (c === 2) td.className = "nb-cos";
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }
  pick.addEventListener("change", render);
  pick.style.display = "";  // the list replaces the static name of the first token
  root.querySelector(".nb-static").style.display = "none";
  root.dataset.live = "1";
  render();
})
