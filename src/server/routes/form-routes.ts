/**
 * Web forms: `POST /v1/forms/:formId` takes one lead from a page's form, as an
 * HTML form posts it (urlencoded) or as a script does (JSON), and answers once
 * the lead is durably written. No API key: a form is public, so instead the
 * post must come from a page of an allowed origin, a filled-in honeypot drops it
 * silently, and the answer never says more than "ok". `OPTIONS` answers the
 * preflight a browser sends before a script's JSON post.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { FormIntakeConfig } from "../../config/source-intake-schema.js";
import { describeLeadIssues } from "../../core/lead.js";
import {
  formFieldsOf,
  readFormSubmission,
  readUrlencoded,
} from "../../intake/sources/form-submission.js";
import {
  createOriginAllowlist,
  type OriginDecision,
} from "../../intake/sources/origin-allowlist.js";
import { answerForError } from "../error-handler.js";
import { sendProblem } from "../problem.js";
import type { ServerContext } from "../server-context.js";
import {
  answerFormProblem,
  answerFormSuccess,
  answerPreflight,
  setCorsHeaders,
} from "./form-answers.js";

interface FormRoute {
  source: string;
  form: FormIntakeConfig;
  checkOrigin: ReturnType<typeof createOriginAllowlist>;
}

const URLENCODED = "application/x-www-form-urlencoded";

export function registerFormRoutes(app: FastifyInstance, context: ServerContext): void {
  const { pipeline, config, logger, metrics } = context;
  const forms = new Map<string, FormRoute>();
  for (const source of config.sources) {
    if (!source.form) continue;
    forms.set(source.form.id ?? source.name, {
      source: source.name,
      form: source.form,
      checkOrigin: createOriginAllowlist(source.form.allowedOrigins),
    });
  }
  if (forms.size === 0) return;

  const formOf = (request: FastifyRequest) =>
    forms.get((request.params as { formId: string }).formId);
  // Only a browser's plain form post is answered with redirects; a script gets JSON.
  const redirectOf = (request: FastifyRequest, route: FormRoute | undefined) =>
    request.headers["content-type"]?.toLowerCase().startsWith(URLENCODED)
      ? route?.form.redirect
      : undefined;

  /** The form exists and the page's origin may post to it; every answer after this carries CORS headers. */
  const onRequest = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const route = formOf(request);
    if (!route) {
      sendProblem(reply, 404, {
        error: "form_not_found",
        message: "No form has this id.",
        hint: "Post to /v1/forms/<form.id> of a source in the config (a form's id defaults to its source's name).",
      });
      return;
    }
    const decision: OriginDecision = route.checkOrigin({
      origin: request.headers.origin,
      referer: request.headers.referer,
    });
    if (!decision.allowed) {
      sendProblem(reply, 403, {
        error: "origin_not_allowed",
        message: decision.origin
          ? `Posts from ${decision.origin} are not allowed for this form.`
          : "The post names no page origin (no Origin or Referer header), and this form takes only listed origins.",
        hint: "Add the page's origin to the source's form.allowedOrigins, or use [\"*\"] to take posts from anywhere.",
      });
      return;
    }
    setCorsHeaders(
      reply,
      route.form,
      request.headers.origin === undefined ? undefined : decision.origin,
    );
    done();
  };

  app.register(async (scope) => {
    scope.addContentTypeParser(URLENCODED, { parseAs: "string" }, (_request, body, done) => {
      done(null, readUrlencoded(String(body)));
    });
    // A browser's form post that fails before the handler (too large, wrong type) still lands
    // on the form's error page; everything else goes on to the server's error handler.
    scope.setErrorHandler((error, request, reply) => {
      const answer = answerForError(error, {
        bodyLimit: config.server.bodyLimit,
        requestId: request.id,
      });
      if (answer.problem.error === "unsupported_media_type") {
        answer.problem.hint = `Post the form urlencoded (an HTML form's default) or as JSON with Content-Type: application/json; multipart/form-data is not taken.`;
      }
      const redirect = redirectOf(request, formOf(request));
      if (answer.unexpected || (redirect?.error === undefined && answer.status !== 415))
        throw error;
      return answerFormProblem(reply, redirect, answer.status, answer.problem);
    });

    scope.options("/v1/forms/:formId", { onRequest }, (request, reply) =>
      answerPreflight(reply, request.headers["access-control-request-headers"]),
    );

    scope.post("/v1/forms/:formId", { onRequest }, async (request, reply) => {
      const route = formOf(request)!;
      const redirect = redirectOf(request, route);
      const fields = formFieldsOf(request.body);
      if (!fields) {
        return answerFormProblem(reply, redirect, 400, {
          error: "invalid_body",
          message: "The form post is not a set of fields.",
          hint: "Post the form urlencoded, or as one flat JSON object of fields.",
        });
      }
      const reading = readFormSubmission(fields, route.form);
      if (reading.kind === "honeypot") {
        logger.info(
          { reqId: request.id, form: route.source },
          "form honeypot filled in: answered as a success, nothing stored",
        );
        return answerFormSuccess(reply, redirect);
      }
      let issues = reading.kind === "invalid" ? reading.issues : [];
      if (reading.kind === "lead") {
        const result = await pipeline.submit([reading.lead], { source: route.source });
        const accepted = result.accepted[0];
        if (accepted) {
          metrics.leadsAccepted.inc({ source: route.source, state: accepted.state });
          return answerFormSuccess(reply, redirect);
        }
        // Validated above, so only a pipeline with stricter rules (a dedupe key field) gets here.
        issues = result.rejected[0]?.issues ?? [];
      }
      metrics.leadsRejected.inc({ source: route.source });
      return answerFormProblem(
        reply,
        redirect,
        422,
        {
          error: "invalid_lead",
          message: `The form's fields are not a lead claypipe can enrich: ${describeLeadIssues(issues)}.`,
          hint: "Fill in the fields named in issues[] and send the form again.",
          issues,
        },
        issues.find((issue) => issue.path !== "")?.path,
      );
    });
  });
}
