/**
 * What must hold after every queue reliability scenario: each accepted lead
 * is delivered (none lost, none dead, none stuck on the way), the sink
 * has each exactly once, and Clay got each at least once. A failure names the
 * leads at fault with their histories and their rows at Clay.
 */
import { expect } from "vitest";
import type { ClayFigures, QueueServices } from "./queue-services.js";

export async function expectEachDeliveredOnce(
  services: QueueServices,
  ids: string[],
): Promise<ClayFigures> {
  const { store } = services;
  const notDelivered: string[] = [];
  for (const id of ids) {
    if ((await store.leads.get(id))?.state !== "delivered") notDelivered.push(id);
  }
  expect(notDelivered, await services.describeLeads(notDelivered)).toEqual([]);
  expect(await store.leads.countByState()).toMatchObject({ delivered: ids.length });

  // A dead delivery still lets its lead end `delivered`: none may be dead here.
  const dead = await store.deliveries.dead(undefined, 10);
  expect(
    dead.map((delivery) => `${delivery.leadId} ${delivery.sink}: ${delivery.lastError}`),
  ).toEqual([]);

  const records = await services.sinkIds();
  const twice = records.filter((id, index) => records.indexOf(id) !== index);
  expect(twice, await services.describeLeads(twice)).toEqual([]);
  const inSink = new Set(records);
  const missing = ids.filter((id) => !inSink.has(id));
  expect(missing, await services.describeLeads(missing)).toEqual([]);
  expect(inSink).toEqual(new Set(ids));

  const clay = services.clayFigures();
  expect(clay.uniqueLeads).toBe(ids.length);
  return clay;
}

/**
 * The leads whose send was cut off and sent again (taken over from a worker
 * that stopped, or recovered once its send lease ran out): the only ones the
 * at-least-once window lets reach Clay twice.
 */
export async function interruptedSends(services: QueueServices, ids: string[]): Promise<string[]> {
  const interrupted: string[] = [];
  for (const id of ids) {
    const history = await services.store.leads.history(id);
    if (history.some((event) => event.reason?.startsWith("interrupted send"))) interrupted.push(id);
  }
  return interrupted;
}

/**
 * For each send a worker was making when it was killed at `killedAt` and that
 * another worker took over: the time from the kill to the takeover, as the
 * lead's history shows it (its claim before the kill, its takeover after).
 */
export async function takeoverDelays(
  services: QueueServices,
  ids: string[],
  killedAt: number,
): Promise<Array<{ leadId: string; ms: number }>> {
  const delays: Array<{ leadId: string; ms: number }> = [];
  for (const leadId of ids) {
    const history = await services.store.leads.history(leadId);
    const index = history.findIndex(
      (event) => event.at >= killedAt && event.reason?.startsWith("interrupted send taken over"),
    );
    const claim = history[index - 1];
    if (index > 0 && claim!.to === "sending" && claim!.at < killedAt)
      delays.push({ leadId, ms: history[index]!.at - killedAt });
  }
  return delays;
}

/** The Clay figures of a scenario, as one line for its report. */
export function describeClayFigures(clay: ClayFigures): string {
  return (
    `${clay.rows} Clay rows for ${clay.uniqueLeads} leads (${clay.duplicateRows} duplicate), ` +
    `${clay.dataCredits} data credits = ${(clay.dataCredits / clay.uniqueLeads).toFixed(3)} per lead, ` +
    `${clay.duplicateDataCredits} of them on duplicates, ${clay.rateLimited} 429s`
  );
}
