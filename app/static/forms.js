// Toggle fields whose Camunda Forms condition hides them. The server decides; this only helps the eye.
(function () {
  function valueOf(form, key) {
    var checked = form.querySelector('[name="' + key + '"]:checked');
    if (checked) return checked.value;
    var el = form.querySelector('[name="' + key + '"]');
    return el && el.type !== 'radio' && el.type !== 'checkbox' ? el.value : null;
  }
  // Supports the common shapes: =key != "v", =key = "v".
  function hidden(form, expr) {
    var m = /^=\s*([A-Za-z_][\w.]*)\s*(!=|=)\s*"([^"]*)"\s*$/.exec(expr || '');
    if (!m) return false;
    var v = valueOf(form, m[1]);
    return m[2] === '=' ? v === m[3] : v !== m[3];
  }
  function refresh(form) {
    form.querySelectorAll('[data-hide-if]').forEach(function (el) {
      el.hidden = hidden(form, el.getAttribute('data-hide-if'));
    });
  }
  document.querySelectorAll('form.camunda-form').forEach(function (form) {
    form.addEventListener('change', function () { refresh(form); });
    refresh(form);
  });
  // One tap files one dossier: the button is disabled once the form is sent (the server also dedupes).
  document.querySelectorAll('form.one-shot').forEach(function (form) {
    form.addEventListener('submit', function () {
      form.querySelectorAll('button[type=submit]').forEach(function (b) { b.disabled = true; });
    });
  });
})();
