// The campaign page's progress figures, kept current while the invitations go out.
// Without JavaScript the page shows the figures of the moment it was loaded.
(function () {
  "use strict";
  var box = document.getElementById("campaign-progress");
  if (!box || box.dataset.done === "true") return;
  var INTERVAL_MS = 2000;

  function show(progress) {
    box.querySelectorAll("[data-count]").forEach(function (cell) {
      var value = progress[cell.dataset.count];
      if (value !== undefined) cell.textContent = String(value);
    });
    return progress.done;
  }

  function poll() {
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (progress) {
        if (progress && show(progress)) {
          // Every mail has its outcome: reload once for the recipients' states.
          window.location.reload();
          return;
        }
        window.setTimeout(poll, INTERVAL_MS);
      })
      .catch(function () { window.setTimeout(poll, INTERVAL_MS * 5); });
  }

  window.setTimeout(poll, INTERVAL_MS);
})();
