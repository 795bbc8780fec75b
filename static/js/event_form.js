// The event form: the lottery's settings appear only when 抽選 is chosen.
(function () {
  var mode = document.getElementById("admission_mode");
  var sections = document.querySelectorAll("[data-admission]");
  if (!mode || !sections.length) return;
  function update() {
    sections.forEach(function (section) {
      section.hidden = section.getAttribute("data-admission") !== mode.value;
    });
  }
  mode.addEventListener("change", update);
  update();
})();
