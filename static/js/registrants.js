// Registrant list: "select all on this page" and the count of selected rows (bulk actions).
(function () {
  "use strict";
  var form = document.getElementById("bulk-form");
  if (!form) { return; }
  var all = document.getElementById("select-all");
  var count = document.getElementById("selected-count");
  function boxes() { return document.querySelectorAll('input[name="ids"][form="bulk-form"]'); }
  function update() {
    var n = 0;
    boxes().forEach(function (b) { if (b.checked) { n += 1; } });
    if (count) { count.textContent = n ? "(" + n + ")" : ""; }
    if (all) { all.checked = n > 0 && n === boxes().length; }
  }
  if (all) {
    all.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = all.checked; });
      update();
    });
  }
  document.addEventListener("change", function (e) {
    if (e.target && e.target.name === "ids") { update(); }
  });
  update();
})();
