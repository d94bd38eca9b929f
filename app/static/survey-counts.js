// A survey's send and results pages: the counts of invited, started and completed, kept current
// while the survey is open (from the counts JSON, every few seconds). Without JavaScript the page
// shows the counts of the moment it was loaded, and a link to reload it.
(function () {
  "use strict";
  var box = document.getElementById("survey-counts");
  if (!box || box.dataset.open !== "true") return;
  var INTERVAL_MS = 5000;

  function show(counts) {
    box.querySelectorAll("[data-count]").forEach(function (cell) {
      var value = counts[cell.dataset.count];
      if (value !== undefined) cell.textContent = Number(value).toLocaleString(document.documentElement.lang || undefined);
    });
    return counts.status === "open";
  }

  function poll() {
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (counts) {
        if (counts && !show(counts)) return; // closed meanwhile: nothing changes any more
        window.setTimeout(poll, INTERVAL_MS);
      })
      .catch(function () { window.setTimeout(poll, INTERVAL_MS * 4); });
  }

  window.setTimeout(poll, INTERVAL_MS);
})();
