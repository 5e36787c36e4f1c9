import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";
import { lead, postJson } from "./helpers.js";

it("close() leaves nothing running: a process with pending work exits by itself", async () => {
  const script = fileURLToPath(new URL("./fixtures/close-child.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  // Enrichments wait 20-90 s and the callback has a 10-minute timeout: a leak would keep the child alive.
  const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on("exit", (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
  );
  clearTimeout(killer);
  expect(output).toContain("closed");
  expect({ code, signal }).toEqual({ code: 0, signal: null });
});

it("close() stops the server and can be called twice", async () => {
  const emulator = await startEmulator({
    workspaces: [{ id: "ws", tables: [{ id: "t", webhooks: [{}] }] }],
  });
  const url = emulator.webhookUrl("t");
  expect((await postJson(url, lead(1))).status).toBe(200);
  await Promise.all([emulator.close(), emulator.close()]);
  await emulator.control.idle();
  await expect(fetch(url, { method: "POST", body: "{}" })).rejects.toThrow();
});
