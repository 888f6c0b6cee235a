/* Small page behaviours shared by every page. */
(function () {
  "use strict";
  // After htmx changes the address (directory filters), the language switch should come back here.
  document.addEventListener("htmx:pushedIntoHistory", function () {
    document.querySelectorAll("form.lang-switcher input[name=next]").forEach(function (input) {
      input.value = window.location.pathname + window.location.search;
    });
  });
})();
