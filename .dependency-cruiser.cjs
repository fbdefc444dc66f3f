// The layer rule, checked by dependency-cruiser (scripts/check-layers.sh, part of the test
// command). Imports go one way:
//   src/main.ts, src/server.ts, src/config.ts (the composition root)
//   → src/transport → src/security → src/domain → src/operations
//   → src/backend (the plugin interface and its kit) → backends/*
// src/contract (the API's descriptors), src/persistence and src/logging.ts sit beside them,
// imported from above; gen/ (generated code) is below everything. Backends import only
// src/backend/. No cycles between files, and none between folders.
/** @type {import('dependency-cruiser').IConfiguration} */
const layer = (name, path, mayNotImport, comment) => ({
  name,
  comment,
  severity: "error",
  from: { path },
  to: { path: mayNotImport },
});

module.exports = {
  forbidden: [
    {
      name: "no-cycle",
      comment: "A cycle between files: one of them belongs in a lower layer, or the shared part in a file of its own.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    layer(
      "backend-imports-only-the-plugin-kit",
      "^backends/",
      "^src/(?!backend/)",
      "A backend imports only src/backend/ (the plugin interface and its kit), gen/ and npm packages.",
    ),
    layer("backends-independent", "^backends/([^/]+)/", "^backends/(?!$1/)", "A backend does not import another backend."),
    layer(
      "plugin-kit-below-everything",
      "^src/backend/",
      "^(src/(?!backend/)|backends/)",
      "src/backend/ is the bottom layer of the service: it imports nothing of the service above it (the loader excepted: it imports backends by path at run time).",
    ),
    layer(
      "operations-below-domain",
      "^src/operations/",
      "^src/(domain|security|transport|persistence/(?!database))|^src/(server|main|config)\\.ts$",
      "The operations engine runs plans; it knows nothing of the use cases (src/domain) or the layers above.",
    ),
    layer(
      "domain-below-security",
      "^src/domain/",
      "^src/(security|transport|persistence)/|^src/(server|main|config|logging)\\.ts$",
      "The domain holds the rules; it knows nothing of callers, roles or gRPC.",
    ),
    layer(
      "security-below-transport",
      "^src/security/",
      "^src/transport/|^src/(server|main)\\.ts$",
      "Security checks callers before the handlers run; it does not import the handlers.",
    ),
    layer(
      "contract-at-the-bottom",
      "^src/contract/",
      "^src/(?!contract/)|^backends/",
      "The API's descriptors are read by every layer and import none of them.",
    ),
    layer("nothing-imports-the-root", "^(src/(?!main\\.ts$)|backends/)", "^src/(server|main)\\.ts$", "Only the entry point imports the server."),
    layer("src-does-not-import-tests", "^(src|backends)/", "^(test|bench)/", "Production code does not import tests or benchmarks."),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(gen|node_modules)/" },
    // Type-only imports count: a cycle through types is still a cycle of ideas.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"], exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
