// The print view's "Print" button; a file of our own because the Content-Security-Policy allows no inline script.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
});
