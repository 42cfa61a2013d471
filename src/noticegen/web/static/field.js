// The officer's new case form (pages/field.py), made quicker with script: a "Remove" button
// takes its fieldset away in place, a fieldset htmx fetched ("Add another party", "Pick")
// gets the focus, and Enter in the catalog search searches instead of sending the form.
// Without script the same buttons work through the form's own POST.
"use strict";

function say(words) {
  const status = document.getElementById("new-case-status");
  if (status) status.textContent = words;
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-remove]");
  const gone = button && document.getElementById(button.dataset.remove);
  if (!gone) return;
  event.preventDefault();
  const heading = document.getElementById(
    gone.classList.contains("party") ? "parties-heading" : "violations-heading");
  const legend = gone.querySelector("legend");
  gone.remove();
  const what = legend ? legend.textContent.trim() : "it";
  say("Removed " + what.charAt(0).toLowerCase() + what.slice(1) + ".");
  if (heading) heading.focus();
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && event.target.id === "f-q") {
    event.preventDefault();
    window.htmx.trigger(event.target, "search");
  }
});

document.addEventListener("htmx:afterSettle", (event) => {
  const target = event.detail.target;
  if (!target || (target.id !== "violations" && target.id !== "parties")) return;
  const added = target.lastElementChild;
  const first = added && added.querySelector("textarea, select, input:not([type=hidden])");
  if (first) first.focus();
});
