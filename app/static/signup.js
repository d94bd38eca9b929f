// The sign-up form posts to its page's #register, so that the browser shows the form again after a
// mistake. But a browser skips `autofocus` when the address names an element, and moves the focus
// away when it scrolls to that element (#register cannot take the focus). So once the page has
// loaded and scrolled, the error summary takes the focus here: a screen reader reads it first.
window.addEventListener("load", () => {
  const summary = document.querySelector(".error-summary[autofocus]");
  if (summary && document.activeElement !== summary) {
    summary.focus();
  }
});
