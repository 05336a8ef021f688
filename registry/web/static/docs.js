// The API's reference (/docs): Swagger UI from npm (swagger-ui-dist, pinned by the lock file),
// served by the project, started here rather than inline so the page keeps its CSP.
(function () {
  "use strict";
  const root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: root.dataset.openapi, domNode: root, deepLinking: false });
})();
