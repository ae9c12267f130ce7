// Keeps a form's contact fields in this browser tab (sessionStorage) until the form is sent, so a page that fails
// (the site down, the connection lost) does not cost the patient their typing. Only the fields the form names in
// data-keep-fields are kept: never the reason for the visit or anything else about their health. The page after a
// successful send names the same key in data-forget-kept, which clears it. A file of our own: the
// Content-Security-Policy allows no inline script.
(() => {
  "use strict";
  let store;
  try {
    store = window.sessionStorage;
    store.getItem("kept:probe");
  } catch {
    return; // storage turned off: the form works as before
  }
  const storageKey = (name) => `kept:${name}`;

  for (const marker of document.querySelectorAll("[data-forget-kept]")) {
    store.removeItem(storageKey(marker.dataset.forgetKept));
  }

  for (const form of document.querySelectorAll("form[data-keep-key]")) {
    const key = storageKey(form.dataset.keepKey);
    const names = form.dataset.keepFields.split(/\s+/).filter(Boolean);
    let saved = {};
    try {
      saved = JSON.parse(store.getItem(key) || "{}");
    } catch {
      saved = {};
    }

    for (const name of names) {
      const field = form.elements.namedItem(name);
      if (!field || typeof saved[name] !== "string") continue;
      if (field instanceof RadioNodeList) {
        for (const radio of field) radio.checked = radio.value === saved[name];
      } else if (field.value === "") {
        field.value = saved[name]; // what the server filled in (after a refused send) wins
      }
    }

    const save = () => {
      const kept = {};
      for (const name of names) {
        const field = form.elements.namedItem(name);
        if (field) kept[name] = field.value;
      }
      store.setItem(key, JSON.stringify(kept));
    };
    form.addEventListener("input", save);
    form.addEventListener("change", save);
  }
})();
