// Starts Swagger UI on /api/docs with this server's OpenAPI document. A file of its own so the
// page's Content-Security-Policy needs no inline script.
window.addEventListener("DOMContentLoaded", function () {
  window.SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#api-docs",
    deepLinking: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
  });
});
