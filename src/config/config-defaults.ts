/**
 * The config names a command settles before reading any config: kept apart
 * from the loader so `claypipe --help` loads no YAML parser nor schema.
 */
export const DEFAULT_CONFIG_FILE = "claypipe.config.yaml";

/** Secrets a read-only command may run without: `callbacks.secret`, `server.apiKeys`, each `publicApi.apiKey`. */
export const UNUSED_SECRETS = ["callbacks.secret", "server.apiKeys", "publicApi.apiKey"] as const;
export type UnusedSecret = (typeof UNUSED_SECRETS)[number];
