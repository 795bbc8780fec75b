// Import page: the new event's fields are shown only when importing into a new event.
(function () {
  "use strict";
  var target = document.getElementById("target");
  var fields = document.getElementById("new-event-fields");
  if (!target || !fields) { return; }
  function update() { fields.hidden = target.value !== "new"; }
  target.addEventListener("change", update);
  update();
}());
