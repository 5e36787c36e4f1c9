/**
 * `claypipe demo --ui`: after the demo the service and its dashboard keep
 * running, the printed key logs in, and a service manager's stop (SIGTERM)
 * ends it cleanly, leaving none of the demo's files behind.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { makeTempDir, removeTempDirs } from "../temp-dirs.js";
import { CLI } from "./run-cli.js";

afterEach(removeTempDirs);

describe("claypipe demo --ui", () => {
  it("prints the dashboard's URL and a key that logs in, and stops cleanly on SIGTERM", async () => {
    const tmp = makeTempDir("demo-ui");
    const child = spawn(
      process.execPath,
      [CLI, "demo", "--ui", "--leads", "30", "--time-scale", "2000"],
      {
        env: { ...process.env, TMPDIR: tmp },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      const access = await new Promise<{ url: string; key: string }>((resolve, reject) => {
        let url = "";
        createInterface({ input: child.stdout! }).on("line", (line) => {
          url ||= /^dashboard: (http:\/\/\S+)$/.exec(line)?.[1] ?? "";
          const key = /^log in with the key: (\S+)$/.exec(line)?.[1];
          if (url && key) resolve({ url, key });
        });
        void exited.then((code) => reject(new Error(`demo --ui exited (${code}) before serving`)));
      });
      expect(access.url).toMatch(/\/ui$/);

      const wrong = await fetch(`${access.url}/login`, {
        method: "POST",
        body: new URLSearchParams({ key: "not-the-key" }),
        redirect: "manual",
      });
      expect(wrong.status).not.toBe(303);
      const login = await fetch(`${access.url}/login`, {
        method: "POST",
        body: new URLSearchParams({ key: access.key }),
        redirect: "manual",
      });
      expect(login.status).toBe(303);
      const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
      const overview = await fetch(access.url, { headers: { cookie } });
      expect(overview.status).toBe(200);
      // The demo's leads are there: some delivered.
      const delivered = /data-test="state-delivered">([\d,]+)</.exec(await overview.text())?.[1];
      expect(Number(delivered?.replaceAll(",", ""))).toBeGreaterThan(0);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(readdirSync(tmp)).toEqual([]);
  }, 90_000);
});
