// Start GOV.UK Frontend and MOJ Frontend components on every page.
import { initAll } from "/static/vendor/govuk/govuk-frontend.min.js";

initAll();
