// Answers are stored as they are given, so that no way of leaving the page loses them: each
// change is posted to the draft after a short pause, and any link or other form waits for the
// pending save before it leaves. If a save fails, the page says so and leaving it asks first.
// Without JavaScript the form's own buttons still save everything.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var status = document.getElementById("autosave-status");
  var retry = document.getElementById("autosave-retry");
  var token = form.querySelector('input[name="csrf_token"]');
  var CHOICE_PAUSE = 300;   // ms after a click on an option or a drop-down
  var TYPING_PAUSE = 1200;  // ms after the last key typed in a box
  var timer = null;
  var dirty = false;        // changes not yet sent
  var failed = false;       // the last save did not store them
  var sending = null;       // the promise of the save under way
  var submitting = false;

  function show(state) {
    status.textContent = form.dataset[state] || "";
    status.className = "autosave-status autosave-" + state;
    retry.hidden = ["failed", "invalid"].indexOf(state) === -1;
  }

  function clearErrors() {
    Array.prototype.forEach.call(form.querySelectorAll(".autosave-error"), function (node) {
      node.remove();
    });
    Array.prototype.forEach.call(form.querySelectorAll("[data-autosave-invalid]"), function (node) {
      node.removeAttribute("aria-invalid");
      node.removeAttribute("data-autosave-invalid");
      var described = (node.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id.slice(-15) !== "-autosave-error";
      });
      if (described.length) { node.setAttribute("aria-describedby", described.join(" ")); }
      else { node.removeAttribute("aria-describedby"); }
    });
  }

  // The server names each refused field as the form does; its message goes beside that field.
  function showErrors(errors) {
    Object.keys(errors).forEach(function (name) {
      var field = document.getElementById(name);
      if (!field) { return; }
      var message = document.createElement("p");
      message.className = "field-errors autosave-error";
      message.id = name + "-autosave-error";
      message.textContent = errors[name];
      var inputs = field.tagName === "FIELDSET" ? field.querySelectorAll("input") : [field];
      Array.prototype.forEach.call(inputs, function (input) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("data-autosave-invalid", "");
        var described = input.getAttribute("aria-describedby");
        input.setAttribute("aria-describedby", (described ? described + " " : "") + message.id);
      });
      if (field.tagName === "FIELDSET") {
        field.querySelector(".options").insertAdjacentElement("beforebegin", message);
      } else {
        field.insertAdjacentElement("afterend", message);
      }
    });
  }

  // The step tabs' "n of m answered" follow the saves; the count is the first number in
  // either language.
  function counted(selector, number) {
    var node = document.querySelector(selector);
    if (node && typeof number === "number") {
      node.textContent = node.textContent.replace(/\d+/, String(number));
    }
  }

  function finish(response, keepalive) {
    return response.json().catch(function () { return {}; }).then(function (data) {
      if (keepalive) { return response.ok; }
      clearErrors();
      if (response.ok) {
        failed = false;
        counted(".steps li.current .step-count", data.answered);
        counted(".steps li:last-child .step-count", data.answered_total);
        show(dirty ? "saving" : "saved");
        return true;
      }
      failed = dirty = true;
      if (response.status === 422 && data.errors) {
        showErrors(data.errors);
        show("invalid");
      } else {
        show(response.status === 409 || response.status === 404 ? "refused" : "failed");
      }
      return false;
    });
  }

  // Resolves true once everything typed so far is stored; a save already under way is waited
  // for first, so two never race and the later answers always land last.
  function save(keepalive) {
    window.clearTimeout(timer);
    timer = null;
    if (sending) {
      return sending.then(function () { return dirty ? save(keepalive) : !failed; });
    }
    if (!dirty) { return Promise.resolve(!failed); }
    dirty = false;
    if (!keepalive) { show("saving"); }
    sending = fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-CSRFToken": token ? token.value : "", "Accept": "application/json" },
      credentials: "same-origin",
      keepalive: !!keepalive
    }).then(function (response) {
      return finish(response, keepalive);
    }, function () {
      failed = dirty = true;
      if (!keepalive) { show("failed"); }
      return false;
    }).then(function (stored) {
      sending = null;
      return stored;
    });
    return sending;
  }

  function later(pause) {
    dirty = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(save, pause);
  }

  function pending() { return dirty || sending !== null; }

  form.addEventListener("change", function () { later(CHOICE_PAUSE); });
  form.addEventListener("input", function (event) {
    if (event.target.matches("textarea, input[type=text]")) { later(TYPING_PAUSE); }
  });
  retry.addEventListener("click", function () {
    dirty = true;
    save();
  });

  // Links (step tabs, breadcrumb, language switch…) wait for the save, then go.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[href]");
    if (!link || !pending() || failed || event.defaultPrevented) { return; }
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
    if (link.target && link.target !== "_self") { return; }
    if (link.getAttribute("href").charAt(0) === "#") { return; }
    event.preventDefault();
    save().then(function (stored) {
      if (stored) { window.location.assign(link.href); }
    });
  });

  // Other forms (sign out, the display switch) likewise; the questionnaire's own buttons post
  // every answer anyway, once any save under way has landed.
  document.addEventListener("submit", function (event) {
    var other = event.target;
    if (other === form) {
      window.clearTimeout(timer);
      timer = null;
      dirty = false;
      if (sending) {
        event.preventDefault();
        var submitter = event.submitter;
        sending.then(function () { form.requestSubmit(submitter); });
        return;
      }
      submitting = true;
      return;
    }
    if (!pending() || failed) { return; }
    event.preventDefault();
    save().then(function (stored) {
      if (stored) { other.submit(); }
    });
  });

  // Closing the tab or reloading: send what is pending on its way; ask first only if it failed.
  window.addEventListener("beforeunload", function (event) {
    if (submitting) { return; }
    if (dirty && !failed) { save(true); }
    if (failed) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
}());
