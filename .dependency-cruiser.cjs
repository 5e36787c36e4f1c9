/**
 * The shape of src/, checked in `npm test` (scripts/test.mjs runs depcruise).
 * docs/architecture.md explains the layout these rules keep.
 */

/** Adapters: the modules that name a backend. Only tiers/ (and the library entry) wire them. */
const ADAPTERS = [
  "^src/store/(sqlite|postgres|memory|file)/",
  "^src/transport/(embedded|bullmq)/",
  "^src/clay/rate-limit/(local|redis)-",
  "^src/clay/breaker/redis-",
  "^src/bus/(nats|kafka)/",
];

module.exports = {
  forbidden: [
    {
      name: "no-file-cycles",
      severity: "error",
      comment: "Two files that import each other (even for types) are one concept split badly.",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-folder-cycles",
      severity: "error",
      comment:
        "Folders form layers: a folder never depends, through any path, on one that depends on it.",
      scope: "folder",
      from: {},
      to: { circular: true },
    },
    {
      name: "core-stands-alone",
      severity: "error",
      comment: "core/ is the domain and lifecycle: it imports nothing of claypipe but the logger.",
      from: { path: "^src/core/" },
      to: { path: "^src/", pathNot: "^src/(core|logging)/" },
    },
    {
      name: "adapters-never-import-the-pipeline",
      severity: "error",
      comment:
        "An adapter implements a port; the pipeline hands it what it needs (e.g. a send handler).",
      from: { path: ADAPTERS },
      to: { path: "^src/(pipeline|tiers|server|cli)/" },
    },
    {
      name: "ports-are-not-adapters",
      severity: "error",
      comment: "Ports and services name no backend; tiers/ picks adapters and passes them in.",
      from: {
        path: "^src/(pipeline|server|routing|intake|core|net|config)/",
      },
      to: { path: ADAPTERS, dependencyTypesNot: ["type-only"] },
    },
    {
      name: "the-pipeline-does-not-know-its-callers",
      severity: "error",
      comment: "pipeline/ is called by tiers/, server/ and cli/, never the reverse.",
      from: { path: "^src/pipeline/" },
      to: { path: "^src/(tiers|server|cli|demo)/" },
    },
    {
      name: "cli-commands-load-what-they-run",
      severity: "error",
      comment:
        "`claypipe --help` loads every command's module: the config loader (YAML, zod), the logger, " +
        "a tier and the importer are imported by the action that uses them, when it runs " +
        "(test/library/lazy-backends.test.ts checks the whole graph).",
      from: { path: "^src/cli/" },
      to: {
        path: "^src/(config/load-config|config/schema|logging/create-logger|core/lead|tiers/direct/direct-pipeline|intake/import/import-leads|intake/files/read-leads)[.]ts$",
        dependencyTypesNot: ["type-only", "dynamic-import"],
      },
    },
    {
      name: "no-test-code-in-src",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^test/" },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|node_modules)/" },
  },
};
