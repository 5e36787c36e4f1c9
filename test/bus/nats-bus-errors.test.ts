/**
 * What a user sees when the NATS bus cannot start: no server at the address,
 * or a server without JetStream. One line saying what happened, a hint saying
 * what to do, a stable code.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createNatsBus } from "../../src/bus/nats/nats-bus.js";
import { ClaypipeError } from "../../src/core/errors.js";
import { freePort } from "../../src/demo/free-port.js";
import { OwnNatsServer } from "./fixtures/nats-server.js";

describe("NATS bus errors", () => {
  const servers: OwnNatsServer[] = [];

  afterEach(async () => {
    for (const server of servers.splice(0)) await server.stop();
  });

  it("says NATS is unreachable, and how to start it", async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    const error = await createNatsBus({ servers: url }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ClaypipeError);
    expect(error).toMatchObject({
      code: "state_unavailable",
      message: `could not reach NATS at ${url}`,
    });
    expect((error as ClaypipeError).hint).toContain("nats-server -js");
  });

  it("says JetStream is not enabled, and how to enable it", async () => {
    const server = await OwnNatsServer.start();
    servers.push(server);
    const error = await createNatsBus({ servers: server.url }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ClaypipeError);
    expect(error).toMatchObject({
      code: "config_invalid",
      message: `NATS at ${server.url} does not offer JetStream`,
    });
    expect((error as ClaypipeError).hint).toContain("-js");
  });
});
