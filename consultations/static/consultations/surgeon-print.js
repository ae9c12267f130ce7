// The summary's printing: the print view's "Print" button, and every closed section opened for paper however the
// page is printed (and closed again after). A file of our own because the Content-Security-Policy allows no inline
// script.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
});

let openedForPrint = [];
window.addEventListener("beforeprint", () => {
  openedForPrint = [...document.querySelectorAll("details.is-collapsible:not([open]), details.opens-in-print:not([open])")];
  for (const section of openedForPrint) section.open = true;
});
window.addEventListener("afterprint", () => {
  for (const section of openedForPrint) section.open = false;
  openedForPrint = [];
});
