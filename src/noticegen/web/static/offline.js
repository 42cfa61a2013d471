/* An officer's form on a dead signal (pages/fieldwork.py). A form marked data-offline is
   sent by fetch: when the phone is offline, or the request does not get through, its fields
   (not files) are kept in this browser's localStorage under the form's one-time key, and sent
   when the connection is back (the `online` event) or the next time a page with this script
   loads. The key makes the service record it once: a 409 with X-Noticegen-Outcome: received
   means it is on record, and it is forgotten. A form the service refuses (its problems, a
   changed case, a session that ended) is kept, and put back into the same form when that
   form is on the page. A form marked data-needs-connection (photos: files are not kept) is
   held back while offline, and says so. Without this script the forms post as any form. */
(function () {
  "use strict";

  var PREFIX = "noticegen:unsent:";
  var OUTCOME = "X-Noticegen-Outcome";
  var FRESH = ["csrf", "key", "revision"]; /* a form put back keeps the page's own */
  var SAVED = "Saved on this phone. It will be sent when the connection is back.";
  var RETRY = 30000;
  var sending = false;

  function say(text) {
    document.querySelectorAll("[data-offline-status]").forEach(function (el) {
      el.textContent = text;
    });
  }

  function fieldsOf(form) {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") { pairs.push([name, value]); }
    });
    return pairs;
  }

  function keyOf(pairs) {
    var found = pairs.filter(function (pair) { return pair[0] === "key"; })[0];
    return found ? found[1] : "";
  }

  function keep(action, pairs) {
    try {
      localStorage.setItem(PREFIX + keyOf(pairs), JSON.stringify(
        {action: action, fields: pairs, saved: new Date().toISOString()}));
    } catch (e) {
      say("Not sent, and this phone could not keep it: do not leave this page; send it " +
          "again when the connection is back.");
      return;
    }
    say(SAVED);
  }

  function kept() {
    var found = [];
    for (var i = 0; i < localStorage.length; i++) {
      var name = localStorage.key(i);
      if (name && name.indexOf(PREFIX) === 0) {
        try { found.push([name, JSON.parse(localStorage.getItem(name))]); }
        catch (e) { localStorage.removeItem(name); }
      }
    }
    return found;
  }

  function post(action, pairs) {
    return fetch(action, {method: "POST", body: new URLSearchParams(pairs),
                          credentials: "same-origin", redirect: "follow"});
  }

  /* "sent": recorded now (the answer is the redirect to its page); "received": on record
     already; "refused": the service answered with a reason. */
  function outcome(response) {
    if (response.ok && response.redirected) { return "sent"; }
    if (response.status === 409 && response.headers.get(OUTCOME) === "received") {
      return "received";
    }
    return "refused";
  }

  /* The service's answer page in place of this one (the form with its problems). */
  function show(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    document.title = doc.title;
    document.body.replaceWith(document.adoptNode(doc.body));
    var alert = document.querySelector("[role=alert]");
    if (alert) {
      if (!alert.hasAttribute("tabindex")) { alert.setAttribute("tabindex", "-1"); }
      alert.focus();
    }
  }

  function formFor(action) {
    var forms = document.querySelectorAll("form[data-offline]");
    for (var i = 0; i < forms.length; i++) {
      if (forms[i].action === action) { return forms[i]; }
    }
    return null;
  }

  /* What was typed, back into the form (the page's own csrf, key and revision kept), and
     kept from now on under the form's key. */
  function putBack(form, name, entry) {
    var used = {};
    entry.fields.forEach(function (pair) {
      if (FRESH.indexOf(pair[0]) >= 0) { return; }
      var all = form.querySelectorAll("[name='" + pair[0].replace(/'/g, "") + "']");
      if (all.length && all[0].type === "checkbox") {
        all.forEach(function (box) { if (box.value === pair[1]) { box.checked = true; } });
        return;
      }
      var at = used[pair[0]] || 0;
      if (at < all.length) { all[at].value = pair[1]; }
      used[pair[0]] = at + 1;
    });
    localStorage.removeItem(name);
    keep(form.action, fieldsOf(form));
  }

  async function sendKept() {
    if (sending || !navigator.onLine) { return; }
    sending = true;
    try {
      for (var [name, entry] of kept()) {
        var response;
        try { response = await post(entry.action, entry.fields); }
        catch (e) { /* no connection yet after all: kept, and tried again */
          window.setTimeout(sendKept, RETRY);
          return;
        }
        var result = outcome(response);
        var form = formFor(entry.action);
        /* the form still on screen is the one sent: the answer takes its place */
        var same = form && keyOf(fieldsOf(form)) === keyOf(entry.fields);
        if (result !== "refused") {
          localStorage.removeItem(name);
          if (same) { show(await response.text()); }
          say("Sent.");
          continue;
        }
        if (same) {
          show(await response.text()); /* its problems beside its fields; still kept */
          say("Not sent: correct what is marked and send it again. It stays kept on this " +
              "phone until it is sent.");
        } else if (form) {
          putBack(form, name, entry);
          say("Not sent: the service refused it (" + response.status + "). What you typed " +
              "is back in the form and kept on this phone: check it and send it again.");
        } else {
          say("Not sent: the service refused it (" + response.status + "). It is kept on " +
              "this phone: open its form again to check it and send it.");
        }
      }
    } finally {
      sending = false;
    }
  }

  document.addEventListener("submit", async function (event) {
    var form = event.target;
    if (form.matches("form[data-needs-connection]") && !navigator.onLine) {
      event.preventDefault();
      say("No connection: photos cannot be kept on this phone. Send them when the " +
          "connection is back.");
      return;
    }
    if (!form.matches("form[data-offline]")) { return; }
    event.preventDefault();
    var pairs = fieldsOf(form);
    if (!navigator.onLine) { keep(form.action, pairs); return; }
    var button = form.querySelector("[type=submit]");
    if (button) { button.disabled = true; }
    var response;
    try {
      response = await post(form.action, pairs);
    } catch (e) {
      if (button) { button.disabled = false; }
      keep(form.action, pairs);
      return;
    }
    var result = outcome(response);
    if (result !== "refused") { localStorage.removeItem(PREFIX + keyOf(pairs)); }
    if (result === "sent") {
      window.location.assign(response.url);
      return;
    }
    show(await response.text());
  });

  window.addEventListener("online", sendKept);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", sendKept);
  } else {
    sendKept();
  }
}());
