/**
 * Checks of the `refresh:` schedules that span keys: the tier keeps results,
 * the cron and time zone are usable, and every source, table and route named
 * exists; `where` is an expression of the routing language.
 */

import { cronProblem } from "../core/cron-schedule.js";
import { ClaypipeError } from "../core/errors.js";
import { DEFAULT_ROUTE, ExpressionError, parseExpression } from "../routing/index.js";
import type { ConfigProblem } from "./interpolate-env.js";
import { resolveTable } from "./resolve-table.js";
import type { ClaypipeConfig } from "./schema.js";

export function checkRefresh(config: ClaypipeConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (config.refresh.length > 0 && config.tier === "direct") {
    return [
      {
        path: "refresh",
        message:
          "the direct tier keeps no results to refresh: set tier: standard (or higher), or remove refresh",
      },
    ];
  }
  const sources = new Set(config.sources.map((source) => source.name));
  const routes = new Set([DEFAULT_ROUTE, ...config.routes.rules.map((rule) => rule.name)]);
  const seen = new Set<string>();
  config.refresh.forEach((schedule, i) => {
    const at = `refresh[${i}]`;
    if (seen.has(schedule.name))
      problems.push({
        path: `${at}.name`,
        message: `"${schedule.name}" is used twice: names must be unique`,
      });
    seen.add(schedule.name);
    const cron = cronProblem(schedule);
    if (cron) problems.push({ path: `${at}.schedule`, message: cron });
    schedule.sources?.forEach((name, j) => {
      if (!sources.has(name))
        problems.push({
          path: `${at}.sources[${j}]`,
          message: `no source is named "${name}": name one of ${[...sources].join(", ")}`,
        });
    });
    schedule.tables?.forEach((name, j) => {
      try {
        resolveTable(config, name);
      } catch (thrown) {
        if (!(thrown instanceof ClaypipeError)) throw thrown;
        problems.push({
          path: `${at}.tables[${j}]`,
          message: `${thrown.message} (${thrown.hint})`,
        });
      }
    });
    if (schedule.sendTo !== undefined) {
      try {
        resolveTable(config, schedule.sendTo);
      } catch (thrown) {
        if (!(thrown instanceof ClaypipeError)) throw thrown;
        problems.push({ path: `${at}.sendTo`, message: `${thrown.message} (${thrown.hint})` });
      }
    }
    schedule.routes?.forEach((name, j) => {
      if (!routes.has(name))
        problems.push({
          path: `${at}.routes[${j}]`,
          message: `no route is named "${name}": name one of ${[...routes].join(", ")}`,
        });
    });
    if (schedule.where !== undefined) {
      try {
        parseExpression(schedule.where);
      } catch (thrown) {
        if (!(thrown instanceof ExpressionError)) throw thrown;
        problems.push({
          path: `${at}.where`,
          message: thrown.message.replaceAll("\n", "\n      "),
        });
      }
    }
  });
  return problems;
}
