/**
 * The Waiting view's actions, for admins: requeue deferred leads now (all,
 * or those of one kind of wait), and run the callback deadline sweep now;
 * each redirects to the view saying how many it moved.
 */
import type { FastifyInstance } from "fastify";
import { flashQuery } from "../flash.js";
import type { FormBody } from "../form-body.js";
import type { UiContext } from "../ui-context.js";
import { readWaitKind } from "./waiting-view.js";

export function registerWaitingActions(app: FastifyInstance, context: UiContext): void {
  const { pipeline, guard } = context;
  const back = (query: Record<string, string>) =>
    `/ui/waiting?${new URLSearchParams(query).toString()}`;

  app.post(
    "/ui/waiting/requeue",
    { preHandler: guard.requireAction(true) },
    async (request, reply) => {
      const reason = readWaitKind(((request.body ?? {}) as FormBody).reason);
      const result = await pipeline.requeue({ state: "deferred", ...(reason ? { reason } : {}) });
      const until =
        result.capReachedUntil === undefined ? undefined : Date.parse(result.capReachedUntil);
      const figures = until === undefined ? { n: result.requeued } : { n: result.requeued, until };
      return reply.redirect(back(flashQuery("requeued", figures)), 303);
    },
  );

  app.post(
    "/ui/waiting/sweep",
    { preHandler: guard.requireAction(true) },
    async (_request, reply) => {
      const { swept } = await pipeline.waiting.sweepOverdue();
      return reply.redirect(back(flashQuery("swept", { n: swept })), 303);
    },
  );
}
