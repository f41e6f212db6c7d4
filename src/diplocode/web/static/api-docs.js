// /api/docs: Swagger UI over the workbench's OpenAPI schema, from files served by the
// workbench itself (the swagger-ui-bundle package), so it works offline and under the
// page's Content-Security-Policy (no inline script). The schema's URL is the page's
// data-openapi-url.
"use strict";

window.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null, // no calls to an online validator
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
});
