/**
 * The control API under `/_emulator/`: read the counters and rows, inject faults, move a
 * person to a new job on their next enrichment, add workspaces and reset, over HTTP for tools that run the emulator in another process.
 */
import type { FastifyInstance } from "fastify";
import { ClaypipeError } from "../core/errors.js";
import type { EmulatorContext } from "./emulator-context.js";
import { sendError } from "./http-errors.js";
import { describeIssues, faultsSchema, workspaceSpecSchema } from "./spec-schema.js";
import type { EmulatorControl, EmulatorWorkspaceSpec, RunningEmulator } from "./types.js";

export const CONTROL_PREFIX = "/_emulator";

export function registerControlRoutes(
  app: FastifyInstance,
  context: EmulatorContext,
  control: EmulatorControl,
  webhookUrl: RunningEmulator["webhookUrl"],
): void {
  app.get(`${CONTROL_PREFIX}/state`, async () => control.snapshot());

  app.get(`${CONTROL_PREFIX}/tables/:tableId/rows`, async (request, reply) => {
    const { tableId } = request.params as { tableId: string };
    if (!context.state.tables.has(tableId)) {
      return sendError(reply, 404, "table_not_found", `The emulator has no table "${tableId}".`);
    }
    return { rows: control.rows(tableId) };
  });

  // Body: a person as a row names them, e.g. {"email": "ada@acme.com"}.
  app.post(`${CONTROL_PREFIX}/tables/:tableId/job-changes`, async (request, reply) => {
    const { tableId } = request.params as { tableId: string };
    if (!context.state.tables.has(tableId)) {
      return sendError(reply, 404, "table_not_found", `The emulator has no table "${tableId}".`);
    }
    const person = request.body;
    if (
      typeof person !== "object" ||
      person === null ||
      Array.isArray(person) ||
      Object.keys(person).length === 0
    ) {
      return sendError(
        reply,
        400,
        "invalid_person",
        'The body must be a JSON object with the fields that name the person, e.g. {"email": "ada@acme.com"}.',
      );
    }
    const change = control.moveOnNextEnrichment(tableId, person as Record<string, unknown>);
    return { tableId, ...change };
  });

  app.put(`${CONTROL_PREFIX}/faults`, async (request, reply) => {
    const parsed = faultsSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      return sendError(
        reply,
        400,
        "invalid_faults",
        `The faults are invalid: ${describeIssues(parsed.error)}.`,
      );
    }
    control.setFaults(parsed.data);
    return { faults: parsed.data };
  });

  app.delete(`${CONTROL_PREFIX}/faults`, async () => {
    control.clearFaults();
    return { faults: {} };
  });

  app.post(`${CONTROL_PREFIX}/workspaces`, async (request, reply) => {
    const parsed = workspaceSpecSchema.safeParse(request.body);
    if (!parsed.success) {
      return sendError(
        reply,
        400,
        "invalid_workspace",
        `The workspace spec is invalid: ${describeIssues(parsed.error)}.`,
      );
    }
    const spec = request.body as EmulatorWorkspaceSpec;
    try {
      control.addWorkspace(spec);
    } catch (error) {
      if (error instanceof ClaypipeError) return sendError(reply, 409, "conflict", error.message);
      throw error;
    }
    const workspace = context.state.workspaces.get(spec.id)!;
    return reply.code(201).send({
      id: workspace.spec.id,
      apiKey: workspace.spec.apiKey,
      tables: workspace.tables.map((table) => ({
        id: table.spec.id,
        webhookUrls: table.webhooks.map((_webhook, index) => webhookUrl(table.spec.id, index)),
      })),
    });
  });

  app.post(`${CONTROL_PREFIX}/reset`, async () => {
    control.reset();
    return { status: "reset" };
  });
}
