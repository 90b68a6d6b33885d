/* Sinergi: small page behaviour on top of htmx and Bootstrap. No build step, no framework. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function showError(message) {
    var box = document.getElementById("htmx-error");
    if (!box) return;
    box.textContent = message;
    box.classList.remove("d-none");
  }

  function hideError() {
    var box = document.getElementById("htmx-error");
    if (box) box.classList.add("d-none");
  }

  document.addEventListener("htmx:beforeRequest", hideError);

  // Filter forms send every field; leave the empty ones out of GET requests so that the URL
  // htmx pushes reads "?kind=fire", not "?search=&kind=fire&area=&is_active=".
  document.addEventListener("htmx:configRequest", function (event) {
    var formData = event.detail.formData;
    if (event.detail.verb !== "get" || !formData) return;
    Array.from(new Set(formData.keys())).forEach(function (key) {
      if (formData.getAll(key).every(function (value) { return value === ""; })) formData.delete(key);
    });
  });

  // The language switch returns to the page as it is now: htmx may have pushed filters or a
  // page number into the address bar since the server rendered the form's `next`.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("language-switch")) return;
    var next = form.querySelector("input[name=next]");
    if (next) next.value = window.location.pathname + window.location.search;
  });

  // A failed htmx request must say so, not leave a stale list looking current.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : "";
    var box = document.getElementById("htmx-error");
    showError((box && box.dataset.responseError) || ("The page could not be updated (" + status + ")."));
  });
  document.addEventListener("htmx:sendError", function () {
    var box = document.getElementById("htmx-error");
    showError((box && box.dataset.sendError) || "The server cannot be reached. Check the connection.");
  });
})();
