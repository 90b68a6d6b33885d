/* Sinergi: the area picker of the incident and risk forms.
 *
 * htmx fills #area-options with suggestions from /incidents/areas/?q=...; choosing one sets the
 * hidden `area` input. Typing again clears the choice, so the form never posts an area the
 * box no longer shows. Keyboard: arrow down into the list, arrows to move, Enter to choose,
 * Escape to close.
 */
(function () {
  "use strict";

  function setup(picker) {
    var input = picker.querySelector("input[type=search]");
    var hidden = picker.querySelector("[data-area-value]");
    var list = picker.querySelector("[role=listbox]");
    if (!input || !hidden || !list) return;

    function options() {
      return Array.prototype.slice.call(list.querySelectorAll("[data-area-id]"));
    }
    function close() {
      list.innerHTML = "";
      input.setAttribute("aria-expanded", "false");
    }
    function choose(option) {
      hidden.value = option.dataset.areaId;
      input.value = option.dataset.areaLabel;
      input.classList.remove("is-invalid");
      close();
      picker.dispatchEvent(
        new CustomEvent("sinergi:area-picked", {
          bubbles: true,
          detail: {
            id: option.dataset.areaId,
            lat: option.dataset.lat ? parseFloat(option.dataset.lat) : null,
            lon: option.dataset.lon ? parseFloat(option.dataset.lon) : null,
          },
        })
      );
    }

    input.addEventListener("input", function () {
      hidden.value = "";
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && options().length) {
        event.preventDefault();
        options()[0].focus();
      } else if (event.key === "Escape") {
        close();
      } else if (event.key === "Enter" && options().length) {
        event.preventDefault(); // Enter in the box picks the first match instead of posting the form
        choose(options()[0]);
      }
    });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[data-area-id]");
      if (option) choose(option);
    });
    list.addEventListener("keydown", function (event) {
      var all = options();
      var index = all.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && index < all.length - 1) {
        event.preventDefault();
        all[index + 1].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        (index > 0 ? all[index - 1] : input).focus();
      } else if (event.key === "Escape") {
        close();
        input.focus();
      }
    });
    list.addEventListener("htmx:afterSwap", function () {
      input.setAttribute("aria-expanded", options().length ? "true" : "false");
    });
    document.addEventListener("click", function (event) {
      if (!picker.contains(event.target)) close();
    });
  }

  document.querySelectorAll("[data-area-picker]").forEach(setup);
})();
