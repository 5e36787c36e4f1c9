/** `claypipe emulator`: the Clay emulator as a server, to develop and test against. */
import type { Command } from "commander";
import { emulatorWorkspacesFromConfig } from "../emulator-seed.js";
import { onOutputClosed, say } from "../output.js";
import { parseNumberOption, TIME_SCALE } from "../parse-number-option.js";

interface EmulatorCliOptions {
  host: string;
  port: string;
  timeScale: string;
  seed: string;
  config?: string;
}

export function registerEmulator(program: Command): void {
  program
    .command("emulator")
    .description("run the Clay emulator (webhook sources, HTTP API column, public API, faults)")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("-p, --port <port>", "port to listen on", "4010")
    .option("--time-scale <n>", "a Clay minute takes 1/n of a minute", "60")
    .option("--seed <n>", "seed for delays and fault draws", "1")
    .option("-c, --config <file>", "create the workspaces, tables and webhooks this config names")
    .action(async (options: EmulatorCliOptions) => {
      const { loadConfigFile } = await import("../../config/load-config.js");
      const workspaces = options.config
        ? // The emulator answers the public API with the config's key: of the secrets, only that one is needed.
          emulatorWorkspacesFromConfig(
            loadConfigFile(options.config, {
              sinkVariables: "deferred",
              unusedSecrets: ["callbacks.secret", "server.apiKeys"],
            }),
          )
        : [
            {
              id: "default",
              tables: [{ id: "t_leads", dedupeColumn: "email", webhooks: [{}, {}] }],
            },
          ];
      // Loaded when the command runs, so `claypipe --help` does not load Fastify.
      const { startEmulator } = await import("../../emulator/index.js");
      const emulator = await startEmulator({
        host: options.host,
        port: parseNumberOption("--port", options.port, { min: 0, max: 65_535 }),
        timeScale: parseNumberOption("--time-scale", options.timeScale, TIME_SCALE),
        seed: parseNumberOption("--seed", options.seed, { min: 0 }),
        workspaces,
      });
      say(`Clay emulator on ${emulator.url} (time scale ${options.timeScale})`);
      for (const workspace of workspaces) {
        say(
          `workspace ${workspace.id}: public API ${emulator.publicApiBaseUrl}, key header clay-api-key`,
        );
        for (const table of workspace.tables) {
          table.webhooks.forEach((_, index) => {
            say(
              `  table ${table.id} webhook ${index + 1}: ${emulator.webhookUrl(table.id, index)}`,
            );
          });
        }
      }
      say(
        `control API: ${emulator.url}/_emulator/state (GET), /_emulator/faults (PUT), /_emulator/reset (POST)`,
      );
      const stop = async () => {
        await emulator.close();
        process.exit(0);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      onOutputClosed(() => void stop());
    });
}
