// The event form: settings that belong to one admission mode are shown only when it is chosen.
(function () {
  "use strict";
  var select = document.getElementById("admission_mode");
  if (!select) { return; }
  var parts = document.querySelectorAll("[data-shown-for-admission]");
  function update() {
    parts.forEach(function (part) {
      part.hidden = part.getAttribute("data-shown-for-admission") !== select.value;
    });
  }
  select.addEventListener("change", update);
  update();
})();
