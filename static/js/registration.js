// Behaviour of the registration pages, loaded from a file so that the Content-Security-Policy
// needs no inline script (script-src 'self').
(function () {
  'use strict';

  // A form sent back with errors: move the focus to the summary so screen readers announce it.
  var summary = document.getElementById('error-summary');
  if (summary) {
    summary.focus();
  }

  // The review page: one press is enough, a double click must not send the registration twice.
  var confirmForm = document.querySelector('.confirm-form');
  if (confirmForm) {
    confirmForm.addEventListener('submit', function (e) {
      var form = e.target;
      setTimeout(function () {
        form.querySelectorAll('button').forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  }

  // The ticket page's print button.
  document.querySelectorAll('[data-action="print"]').forEach(function (button) {
    button.addEventListener('click', function () { window.print(); });
  });

  document.documentElement.setAttribute('data-registration-js', 'ready');
})();
