/**
 * The alert check, one pass of the loop that runs where the `send` duty runs:
 * reads the status, finds the conditions that became true or cleared since the
 * last check, and notifies every target once per change.
 *
 * Once across processes: before alerting, a process claims the change in the
 * store's capacity counters (`alert:<key>` for raised, `alert:<key>:cleared`
 * for cleared, each held at most at 1, the other given back), so of several
 * sending processes that see the same change one alerts, and a restart does
 * not alert again what was already said. A condition that cleared while no
 * process watched is cleared at the first check. A notification that fails is
 * tried again at each later check by the process that claimed it (it is lost
 * if that process stops first).
 */
import type { AlertsConfig, AlertTarget } from "../config/alerts-schema.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../logging/create-logger.js";
import type { CapacityCounters } from "../store/capacity-counters.js";
import { type AlertCondition, type AlertStatus, readAlertConditions } from "./alert-conditions.js";
import { evaluateAlerts } from "./alert-evaluator.js";
import { type AlertMessage, createAlertNotifier, type Notify } from "./alert-notifier.js";
import { createCallbackSilence } from "./callback-silence.js";

export interface AlertStepDeps {
  readStatus(): Promise<AlertStatus>;
  counters: CapacityCounters;
  clock: Clock;
  logger: Logger;
  /** @defaultValue posts with global fetch */
  notify?: Notify;
}

const raisedKey = (key: string) => `alert:${key}`;
const clearedKey = (key: string) => `alert:${key}:cleared`;

/** One check; resolves with 0, so the loop waits `checkEvery` before the next. */
export function createAlertStep(config: AlertsConfig, deps: AlertStepDeps) {
  const { counters, clock, logger } = deps;
  const notify = deps.notify ?? createAlertNotifier(config, { clock, logger });
  const callbacksSilent = createCallbackSilence(config.callbackSilence);
  let active: ReadonlyMap<string, AlertCondition> | undefined;
  let unsent: Array<{ message: AlertMessage; target: AlertTarget; index: number }> = [];

  /** True when this process is the one to say it. */
  async function claim(claimed: string, other: string): Promise<boolean> {
    const result = await counters.tryReserve([{ key: claimed, limit: 1 }]);
    if (!result.ok) return false;
    await counters.release([other]);
    return true;
  }

  async function changes(conditions: AlertCondition[]): Promise<AlertMessage[]> {
    const now = clock.now();
    let previous = active;
    if (previous === undefined) {
      // First check: what an earlier run raised counts as active, so what cleared meanwhile is cleared.
      const raised = await Promise.all(
        conditions.map(async (c) => [c, await counters.get(raisedKey(c.key))] as const),
      );
      previous = new Map(raised.filter(([, count]) => count > 0).map(([c]) => [c.key, c]));
    }
    const found = evaluateAlerts(previous, conditions);
    active = found.active;
    const messages: AlertMessage[] = [];
    for (const condition of found.raised) {
      if (!(await claim(raisedKey(condition.key), clearedKey(condition.key)))) continue;
      const { key, title, text, action } = condition;
      messages.push({ key, state: "raised", title, text, action, at: now });
    }
    for (const condition of found.cleared) {
      if (!(await claim(clearedKey(condition.key), raisedKey(condition.key)))) continue;
      if (condition.clearedText === undefined) continue;
      messages.push({
        key: condition.key,
        state: "cleared",
        title: condition.clearedText,
        text: "",
        action: "",
        at: now,
      });
    }
    return messages;
  }

  return async (signal: AbortSignal): Promise<number> => {
    const status = await deps.readStatus();
    const silent = callbacksSilent(status.states, clock.now());
    const messages = await changes(readAlertConditions(status, config, silent));
    const due = [
      ...unsent,
      ...messages.flatMap((message) =>
        config.targets.map((target, index) => ({ message, target, index })),
      ),
    ];
    unsent = [];
    for (const item of due) {
      if (!(await notify(item.message, item.target, item.index, signal))) unsent.push(item);
    }
    if (messages.length > 0) {
      logger.info({ alerts: messages.map((m) => `${m.state}:${m.key}`) }, "alerts");
    }
    return 0;
  };
}
