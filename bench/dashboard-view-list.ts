/**
 * The dashboard views the benchmark times, with the searches a person would
 * make: leads by state (a small one and the largest), by source over one day,
 * by email, a partial match on a field; a lead's page; the DLQ's leads and
 * dead deliveries, filtered and not; the waiting leads. The lead page and the
 * email are a real lead's, found through the Leads view itself.
 */
import { DAY_MS } from "./dashboard-seed-plan.js";

const LEAD_LINK = /href="\/ui\/leads\/([0-9a-f-]{36})"/;
const SEED_EMAIL = /[a-z]+\.[a-z]+\.\d+@company\d+\.example/;

export interface BenchView {
  /** The same in every store (the lead's id and email differ). */
  label: string;
  path: string;
}

export async function benchViews(
  baseUrl: string,
  cookie: string,
  now: number,
): Promise<BenchView[]> {
  const read = async (path: string) =>
    (await fetch(`${baseUrl}${path}`, { headers: { cookie } })).text();
  const day = (daysAgo: number) => new Date(now - daysAgo * DAY_MS).toISOString().slice(0, 10);
  const id = LEAD_LINK.exec(await read("/ui/leads?state=delivered"))?.[1];
  if (!id) throw new Error("the Leads view listed no delivered lead to open");
  const email = SEED_EMAIL.exec(await read(`/ui/leads/${id}`))?.[0];
  if (!email) throw new Error(`lead ${id}'s page shows no email`);
  const views: Array<[string, string]> = [
    ["/ui (overview)", "/ui"],
    ["/ui/credits", "/ui/credits"],
    ["/ui/capacity", "/ui/capacity"],
    ["/ui/workers", "/ui/workers"],
    ["/ui/config", "/ui/config"],
    ["/ui/leads", "/ui/leads"],
    ["/ui/leads?state=delivered", "/ui/leads?state=delivered"],
    ["/ui/leads?state=awaiting_callback", "/ui/leads?state=awaiting_callback"],
    ["/ui/leads?source=csv, one day", `/ui/leads?source=csv&from=${day(7)}&to=${day(6)}`],
    ["/ui/leads?q=<email>", `/ui/leads?q=${encodeURIComponent(email)}`],
    ["/ui/leads?q=<lead id>", `/ui/leads?q=${id}`],
    ["/ui/leads?field=company&contains=…", "/ui/leads?field=company&contains=Company%2012345"],
    ["/ui/leads/<id> (delivered)", `/ui/leads/${id}`],
    ["/ui/dlq", "/ui/dlq"],
    ["/ui/dlq?reason=no_callback&source=…", "/ui/dlq?reason=no_callback&source=hubspot"],
    ["/ui/dlq?kind=deliveries", "/ui/dlq?kind=deliveries"],
    ["/ui/dlq?kind=deliveries&sink=crm", "/ui/dlq?kind=deliveries&sink=crm"],
    ["/ui/waiting", "/ui/waiting"],
    ["/ui/waiting?reason=credit_cap", "/ui/waiting?reason=credit_cap"],
  ];
  return views.map(([label, path]) => ({ label, path }));
}
