// A mail's HTML part, shown whole: each frame marked data-fit-content grows to the height of
// the mail inside it, so the page scrolls and the frame does not cut the mail off. The frame
// is sandboxed without scripts but same-origin, so this page may measure its document.
// Without JavaScript the frame keeps its height from the stylesheet and scrolls inside.
(function () {
  "use strict";

  function fit(frame) {
    try {
      var doc = frame.contentDocument;
      if (!doc || !doc.documentElement) return;
      // Shrink first, so that the mail's own height is measured and not the frame's (no paint
      // happens in between, so nothing flickers).
      frame.style.blockSize = "1px";
      var height = doc.documentElement.scrollHeight;
      if (height > 1) {
        frame.style.blockSize = (height + 24) + "px";
        frame.classList.add("fitted");
      } else {
        frame.style.blockSize = "";
      }
    } catch (error) {
      // Another origin: leave the frame as it is.
    }
  }

  document.querySelectorAll("iframe[data-fit-content]").forEach(function (frame) {
    frame.addEventListener("load", function () {
      fit(frame);
      // Images may arrive after the load of the text: measure once more when they have.
      window.setTimeout(function () { fit(frame); }, 500);
    });
    if (frame.contentDocument && frame.contentDocument.readyState === "complete") fit(frame);
  });
  window.addEventListener("resize", function () {
    document.querySelectorAll("iframe[data-fit-content]").forEach(fit);
  });
})();
