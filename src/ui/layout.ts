/**
 * The page every view shares: navigation, the session's CSRF token (htmx sends
 * it with each request, forms carry it as `_csrf`), htmx configured for the
 * strict Content-Security-Policy (no inline styles, no eval), and the scripts,
 * all from /ui/assets.
 */
import { packageVersion } from "../core/package-version.js";
import { type Html, html } from "./html.js";
import type { UiSession } from "./ui-session.js";

export const VIEWS = [
  ["overview", "/ui", "Overview"],
  ["credits", "/ui/credits", "Credits"],
  ["capacity", "/ui/capacity", "Capacity"],
  ["leads", "/ui/leads", "Leads"],
  ["dlq", "/ui/dlq", "DLQ"],
  ["waiting", "/ui/waiting", "Waiting"],
  ["workers", "/ui/workers", "Workers"],
  ["config", "/ui/config", "Config"],
  ["doctor", "/ui/doctor", "Doctor"],
] as const;

export type ViewName = (typeof VIEWS)[number][0];

const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  selfRequestsOnly: true,
  historyCacheSize: 0,
});

let version: string | undefined;

/** Where an asset is served: the version in the path lets browsers cache it. */
export function assetUrl(name: string): string {
  version ??= packageVersion();
  return `/ui/assets/${version}/${name}`;
}

export interface PageOptions {
  title: string;
  view: ViewName | "login" | "not_found";
  session?: UiSession;
  tier?: string;
}

export function page(options: PageOptions, body: Html): Html {
  const { title, view, session, tier } = options;
  const headers = session ? JSON.stringify({ "x-csrf-token": session.csrfToken }) : undefined;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content="${HTMX_CONFIG}">
<title>${title} · claypipe</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assetUrl("uplot.min.css")}">
<link rel="stylesheet" href="${assetUrl("ui.css")}">
<script src="${assetUrl("htmx.min.js")}" defer></script>
<script src="${assetUrl("sse.min.js")}" defer></script>
<script src="${assetUrl("uplot.min.js")}" defer></script>
<script src="${assetUrl("ui.js")}" defer></script>
</head>
<body${headers ? html` hx-headers="${headers}"` : ""} data-view="${view}">
<header class="top">
<a class="brand" href="/ui">claypipe</a>
${tier ? html`<span class="tier">${tier} tier</span>` : ""}
${
  session
    ? html`<nav>${VIEWS.map(
        ([name, href, label]) =>
          html`<a href="${href}"${name === view ? html` aria-current="page"` : ""}>${label}</a>`,
      )}</nav>
<form method="post" action="/ui/logout" class="logout"><input type="hidden" name="_csrf" value="${session.csrfToken}"><span class="role">${session.role === "admin" ? "admin" : "read-only"}</span><button type="submit">Log out</button></form>`
    : ""
}
</header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}
