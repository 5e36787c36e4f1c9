/**
 * What a user sees when the NATS bus cannot start: no server at the address,
 * or a server without JetStream; or cannot publish a message: over the
 * server's max_payload. One line saying what happened, a hint saying what to
 * do, a stable code.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createNatsBus } from "../../src/bus/nats/nats-bus.js";
import { ClaypipeError } from "../../src/core/errors.js";
import { freePort } from "../../src/demo/free-port.js";
import {
  deleteStreams,
  NATS_URL,
  OwnNatsServer,
  uniqueTopicPrefix,
} from "./fixtures/nats-server.js";

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

  it("refuses a message over max_payload with its headers as too large, not as NATS unavailable", async () => {
    const bus = await createNatsBus({ servers: NATS_URL });
    const topic = `${uniqueTopicPrefix("max-payload")}.big`;
    try {
      const limit = 1024 * 1024; // nats-server's default max_payload
      const message = (bytes: number) => ({
        key: "k",
        value: new Uint8Array(bytes).fill(0x20),
        headers: { ce_id: "big" },
      });
      // Under the limit with its headers: stored (1 MB is under NATS's 1 MiB).
      await bus.publish(topic, [message(1_000_000)]);
      const error = await bus.publish(topic, [message(limit)]).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(ClaypipeError);
      expect(error).toMatchObject({
        code: "payload_too_large",
        message: `a ${limit}-byte message and its headers are over NATS's ${limit}-byte max_payload`,
      });
      expect((error as ClaypipeError).hint).toContain("max_payload");
    } finally {
      await bus.close();
      await deleteStreams(NATS_URL, topic);
    }
  });
});
