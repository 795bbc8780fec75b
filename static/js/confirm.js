// Asks before a destructive submit: a button or form with data-confirm="question" submits only when confirmed.
// A form with data-confirm-choice="name" asks the question of its checked input of that name, if it has one
// (the registrant list's bulk actions: cancel and reject ask, move does not).
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var form = event.target;
  var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
  var choice = form.getAttribute("data-confirm-choice");
  if (!question && choice) {
    var checked = form.querySelector('input[name="' + choice + '"]:checked');
    question = checked && checked.getAttribute("data-confirm");
  }
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
