// The public feedback pages: GOV.UK Frontend components only (error summary focus and the like).
// Everything works without JavaScript.
import { initAll } from "/static/vendor/govuk/govuk-frontend.min.js";

initAll();
