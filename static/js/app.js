// Start GOV.UK Frontend and MOJ Frontend components on every page.
import { initAll } from "/static/vendor/govuk/govuk-frontend.min.js";

initAll();

// Autosave of the grading page (htmx; see templates/audits/section.html and audit_section_autosave).
// A form with data-autosave="<id of its status region>" posts a draft on changes. Every save sends
// the audit's version and gets the next one back, so the autosave and the page's own buttons must
// take turns: a button pressed while an autosave is in flight waits for its answer (which carries
// the new version), and no autosave starts once the real save has begun.
const AUTOSAVE = "form[data-autosave]";
const AUTOSAVE_FAILED =
  "Your latest changes could not be saved automatically. Use “Save and come back later” to save them.";

function autosaveForm(event) {
  // The element that made the request (detail.elt is wherever the event fired, e.g. the target).
  const elt = event.detail && event.detail.requestConfig && event.detail.requestConfig.elt;
  return elt instanceof HTMLFormElement && elt.matches(AUTOSAVE) ? elt : null;
}

function sayInStatus(form, text) {
  const region = document.getElementById(form.dataset.autosave);
  if (region) {
    const line = document.createElement("p");
    line.className = "govuk-body-s govuk-!-margin-bottom-0";
    line.textContent = text;
    region.replaceChildren(line);
  }
}

document.addEventListener("htmx:beforeRequest", (event) => {
  const form = autosaveForm(event);
  if (!form) return;
  if (form.dataset.submitting) {
    event.preventDefault();
  } else {
    form.dataset.saving = "true";
  }
});

document.addEventListener("htmx:beforeSwap", (event) => {
  const form = autosaveForm(event);
  if (!form) return;
  const { xhr, pathInfo } = event.detail;
  if (pathInfo.responsePath && pathInfo.responsePath !== pathInfo.requestPath) {
    // Redirected (to the sign-in page when the session has ended): not a status line.
    event.detail.shouldSwap = false;
    event.detail.isError = false;
    sayInStatus(form, "You have been signed out, so your latest changes were not saved. Sign in again to carry on.");
  } else if (xhr.status === 409 || xhr.status === 422) {
    // A conflict or bad input: the answer is a message for the status line, like a 200.
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

document.addEventListener("htmx:responseError", (event) => {
  const form = autosaveForm(event);
  if (form) sayInStatus(form, AUTOSAVE_FAILED);
});

document.addEventListener("htmx:sendError", (event) => {
  const form = autosaveForm(event);
  if (form) sayInStatus(form, AUTOSAVE_FAILED);
});

document.addEventListener("htmx:afterRequest", (event) => {
  const form = autosaveForm(event);
  if (!form) return;
  delete form.dataset.saving;
  if (form.autosaveSubmitter !== undefined) {
    const submitter = form.autosaveSubmitter;
    delete form.autosaveSubmitter;
    form.requestSubmit(submitter);
  }
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches(AUTOSAVE)) return;
  if (form.dataset.saving) {
    event.preventDefault();
    form.autosaveSubmitter = event.submitter; // submitted again, with this button, once the autosave answers
    return;
  }
  form.dataset.submitting = "true";
});

// Back to a page kept in the browser's cache after a submit: let it autosave again.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  for (const form of document.querySelectorAll(AUTOSAVE)) {
    delete form.dataset.submitting;
    delete form.dataset.saving;
  }
});

// Printing (a plan as a board paper, a dashboard): open every closed "details" so their tables
// print, and close again afterwards the ones that were closed.
let openedForPrint = [];
window.addEventListener("beforeprint", () => {
  openedForPrint = [...document.querySelectorAll("details:not([open])")];
  for (const details of openedForPrint) details.open = true;
});
window.addEventListener("afterprint", () => {
  for (const details of openedForPrint) details.open = false;
  openedForPrint = [];
});
