// Asks before a destructive submit: a button or form with data-confirm="question" submits only when confirmed.
// A form with data-confirm-choice="name" asks the question of its checked input of that name, if it has one
// (the registrant list's bulk actions: cancel and reject ask, move does not).
// A yes adds confirmed=1 to what the form sends: the server asks the question on a page of its own when
// that field is missing (no JavaScript), so it is asked once either way (app/confirmations.py).
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var form = event.target;
  var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
  var choice = form.getAttribute("data-confirm-choice");
  if (!question && choice) {
    var checked = form.querySelector('input[name="' + choice + '"]:checked');
    question = checked && checked.getAttribute("data-confirm");
  }
  if (!question) {
    return;
  }
  if (!window.confirm(question)) {
    event.preventDefault();
    return;
  }
  var field = form.querySelector('input[type="hidden"][name="confirmed"]');
  if (!field) {
    field = document.createElement("input");
    field.type = "hidden";
    field.name = "confirmed";
    form.appendChild(field);
  }
  field.value = "1";
});
