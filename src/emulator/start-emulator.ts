/**
 * Starts the Clay emulator: an HTTP server with Clay's webhook sources, public API and
 * HTTP API column, plus a control API, all in memory. Runs in-process for tests, demos
 * and benchmarks; `claypipe emulator` is a thin caller of this.
 */
import type { AddressInfo } from "node:net";
import Fastify from "fastify";
import { ClaypipeError, coerceError } from "../core/errors.js";
import { registerControlRoutes } from "./control-route.js";
import type { EmulatorContext } from "./emulator-context.js";
import { createControl } from "./emulator-control.js";
import { EmulatorState } from "./emulator-state.js";
import { FaultState } from "./faults.js";
import { useJsonErrors } from "./http-errors.js";
import { PendingWork } from "./pending-work.js";
import { PUBLIC_API_PREFIX, registerPublicApiRoute } from "./public-api-route.js";
import { SeededRandom } from "./seeded-random.js";
import { describeIssues, optionsSchema } from "./spec-schema.js";
import type {
  EmulatorLogger,
  EmulatorOptions,
  EmulatorWorkspaceSpec,
  RunningEmulator,
} from "./types.js";
import { registerWebhookRoute, WEBHOOK_PATH_PREFIX } from "./webhook-route.js";

const silentLogger: EmulatorLogger = { info: () => {}, warn: () => {} };

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ClaypipeError(
      "config_invalid",
      `Emulator options are invalid: ${describeIssues(parsed.error)}.`,
      {
        hint: "See EmulatorOptions in src/emulator/types.ts for the fields and their defaults.",
      },
    );
  }
  const { host, port, timeScale, seed, logger = silentLogger } = parsed.data;
  const onTaskError = (error: unknown) =>
    logger.warn({ error: coerceError(error).message }, "emulator background task failed");
  const work = new PendingWork(onTaskError);
  const context: EmulatorContext = {
    state: new EmulatorState(work),
    work,
    requestWork: new PendingWork(onTaskError),
    faults: new FaultState(),
    random: new SeededRandom(seed),
    timeScale,
    logger,
  };
  const control = createControl(context, seed);
  for (const spec of parsed.data.workspaces) control.addWorkspace(spec as EmulatorWorkspaceSpec);

  let url = "";
  const webhookUrl = (tableId: string, index = 0): string => {
    const table = context.state.table(tableId);
    const webhook = table.webhooks[index];
    if (!webhook) {
      throw new ClaypipeError(
        "input_invalid",
        `Table "${tableId}" has no webhook at index ${index}.`,
        {
          hint: `It has ${table.webhooks.length} webhook(s), at indexes from 0.`,
        },
      );
    }
    return `${url}${WEBHOOK_PATH_PREFIX}${webhook.spec.uuid}`;
  };

  // Clients that abort mid-request would otherwise hold close() for the keep-alive timeout.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  useJsonErrors(app);
  registerWebhookRoute(app, context);
  registerPublicApiRoute(app, context);
  registerControlRoutes(app, context, control, webhookUrl);
  try {
    await app.listen({ host, port });
  } catch (error) {
    throw new ClaypipeError(
      "config_invalid",
      `The emulator cannot listen on ${host}:${port}: ${coerceError(error).message}`,
      {
        hint: "Pick a free port, or port 0 for any free one.",
        cause: error,
      },
    );
  }
  url = `http://${urlHost(app.server.address() as AddressInfo)}`;
  logger.info({ url, timeScale, seed }, "Clay emulator listening");

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    context.requestWork.cancelAll();
    await app.close();
    // After the server stops, so no request that was still running can schedule new work.
    context.work.cancelAll();
    context.requestWork.cancelAll();
  };
  return {
    url,
    webhookUrl,
    publicApiBaseUrl: `${url}${PUBLIC_API_PREFIX}`,
    control,
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}

function urlHost({ address, port, family }: AddressInfo): string {
  if (address === "0.0.0.0") return `127.0.0.1:${port}`;
  if (address === "::") return `[::1]:${port}`;
  return family === "IPv6" ? `[${address}]:${port}` : `${address}:${port}`;
}
