// GOV.UK Frontend's body classes, set before the page paints (loaded at the top of <body>):
// js-enabled shows the components' scripted look, govuk-frontend-supported lets them start.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
