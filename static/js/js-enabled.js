// Marks the page as having JavaScript before it is drawn (GOV.UK Frontend styles hang on these
// classes). A file of its own, not an inline script, so a strict Content-Security-Policy allows it.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
