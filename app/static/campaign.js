// Campaign pages. The form: only the details of the chosen audience are shown (tags, kinds
// or addresses). The campaign page: the progress bar and figures, kept current while the
// invitations go out (from the progress JSON). Without JavaScript the form shows every
// detail, and the page the figures of the moment it was loaded.
(function () {
  "use strict";
  var form = document.getElementById("campaign-form");
  if (!form) return;
  var details = form.querySelectorAll("[data-audience]");

  function reveal() {
    var chosen = form.querySelector("input[name=audience]:checked");
    details.forEach(function (detail) {
      detail.hidden = !chosen || detail.dataset.audience !== chosen.value;
    });
  }

  form.querySelectorAll("input[name=audience]").forEach(function (radio) {
    radio.addEventListener("change", reveal);
  });
  reveal();
})();

(function () {
  "use strict";
  var box = document.getElementById("campaign-progress");
  if (!box || box.dataset.done === "true") return;
  var bar = document.getElementById("campaign-bar");
  var INTERVAL_MS = 2000;

  function show(progress) {
    box.querySelectorAll("[data-count]").forEach(function (cell) {
      var value = progress[cell.dataset.count];
      if (value !== undefined) cell.textContent = String(value);
    });
    if (bar && progress.total) {
      bar.max = progress.total;
      bar.value = progress.handled;
      bar.textContent = progress.handled + " / " + progress.total;
    }
    return progress.done;
  }

  function poll() {
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (progress) {
        if (progress && show(progress)) {
          // Every mail has its outcome: reload once for the status and the recipients' states.
          window.location.reload();
          return;
        }
        window.setTimeout(poll, INTERVAL_MS);
      })
      .catch(function () { window.setTimeout(poll, INTERVAL_MS * 5); });
  }

  window.setTimeout(poll, INTERVAL_MS);
})();
