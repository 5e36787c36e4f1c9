/**
 * A library caller that builds the probes-only server on `server.opsPort`
 * without setting it gets a config error naming the key, not a server on a
 * port Node picks.
 */
import { expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import type { Pipeline } from "../../src/pipeline/pipeline-api.js";
import { createServer } from "../../src/server/create-server.js";

it("refuses to listen on server.opsPort when it is unset", async () => {
  const config = configSchema.parse({
    tier: "queue",
    clay: {
      workspaces: [
        { name: "main", tables: [{ name: "leads", webhooks: [{ url: "http://clay.example/h" }] }] },
      ],
    },
  });
  // The probes reach the pipeline only when asked; this server is never asked.
  const server = createServer({
    pipeline: {} as Pipeline,
    config,
    serves: { intake: false, callbacks: false, admin: false },
    portKey: "opsPort",
  });
  await expect(server.listen()).rejects.toMatchObject({
    code: "config_invalid",
    message: "server.opsPort is not set",
  });
  await server.close();
});
