/* The search box's shortcut: "/" focuses the navbar's search field (or the search page's own),
   unless the user is typing in a field already. No framework, no CDN. */
(function () {
  "use strict";

  function typing(target) {
    if (!target) return false;
    var tag = target.tagName;
    return target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    // The first visible one: the navbar's field is hidden on a phone, the search page has its own.
    var field = Array.from(document.querySelectorAll("[data-search-field]")).find(function (el) {
      return el.offsetParent !== null;
    });
    if (!field) return;
    event.preventDefault();
    field.focus();
    field.select();
  });
})();
