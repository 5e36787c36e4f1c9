/**
 * The demo's Clay: one emulated workspace at Clay's default rate (10 rows/s,
 * bursts of 20) with the leads table (two webhooks, dedupe on email) and the
 * refresh table beside it, where no one changes jobs.
 */
import { type RunningEmulator, startEmulator } from "../emulator/index.js";
import {
  DEMO_API_KEY,
  DEMO_REFRESH_TABLE_ID,
  DEMO_TABLE_ID,
  DEMO_WORKSPACE,
} from "./demo-config.js";

export function startDemoEmulator(options: {
  timeScale: number;
  seed: number;
}): Promise<RunningEmulator> {
  return startEmulator({
    ...options,
    workspaces: [
      {
        id: DEMO_WORKSPACE,
        apiKey: DEMO_API_KEY,
        rateLimit: { perSecond: 10, burst: 20 },
        tables: [
          { id: DEMO_TABLE_ID, dedupeColumn: "email", webhooks: [{}, {}] },
          { id: DEMO_REFRESH_TABLE_ID, jobChanges: { share: 0 }, webhooks: [{}] },
        ],
      },
    ],
  });
}
