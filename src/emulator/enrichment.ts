/**
 * The emulated enrichment columns: results and costs derived only from the row's
 * identity, so the same lead gets the same answer in every run and every emulator.
 *
 * Columns, as a typical Clay people table has them:
 * - work email: a waterfall over three providers; it stops at the first with a valid
 *   result and pays only that one (Clay bills waterfalls that way);
 * - person data (title, seniority, country, LinkedIn URL);
 * - company data (name, domain, headcount, industry);
 * - ICP score: a formula, free.
 * Each column run costs one action; the HTTP API column's call costs one more, charged
 * by the caller because it only runs for rows with a callback URL.
 */
import { createHash } from "node:crypto";
import {
  identityKey,
  type Lead,
  normalizeDomain,
  normalizeEmail,
  RESERVED_FIELDS,
} from "../core/lead.js";

export interface EnrichmentCost {
  actions: number;
  data: number;
}

export interface EnrichmentOutcome {
  status: "enriched" | "not_found";
  fields: Record<string, unknown>;
  cost: EnrichmentCost;
}

/** In waterfall order; `hitRate` is the share of the rows reaching a provider that it finds. */
export const EMAIL_WATERFALL = [
  { provider: "provider_a", dataCredits: 2, hitRate: 0.5 },
  { provider: "provider_b", dataCredits: 3, hitRate: 0.6 },
  { provider: "provider_c", dataCredits: 5, hitRate: 1 },
] as const;
export const PERSON_DATA_CREDITS = 3;
export const COMPANY_DATA_CREDITS = 2;
/** Enrichment columns run per row: work email, person data, company data. */
export const ENRICHMENT_ACTIONS = 3;

export const ENRICHMENT_FIELDS = [
  "work_email",
  "work_email_source",
  "title",
  "seniority",
  "company_name",
  "company_domain",
  "employee_count",
  "industry",
  "country",
  "linkedin_url",
  "icp_score",
] as const;

const FIRST_NAMES = [
  "Ada",
  "Ben",
  "Chloe",
  "Diego",
  "Elif",
  "Farah",
  "Gustav",
  "Hana",
  "Ivan",
  "Jia",
  "Kofi",
  "Lena",
];
const LAST_NAMES = [
  "Okafor",
  "Lindqvist",
  "Moreau",
  "Tanaka",
  "Silva",
  "Novak",
  "Haddad",
  "Kowalski",
  "Reyes",
  "Chen",
];
export const COMPANIES = [
  { name: "Northwind Labs", domain: "northwindlabs.com", industry: "Software" },
  { name: "Bluepeak Health", domain: "bluepeakhealth.com", industry: "Healthcare" },
  { name: "Copperline Logistics", domain: "copperline.io", industry: "Logistics" },
  { name: "Fernwood Finance", domain: "fernwood.finance", industry: "Financial Services" },
  { name: "Brightforge", domain: "brightforge.dev", industry: "Software" },
  { name: "Solace Retail", domain: "solaceretail.com", industry: "Retail" },
];
export const TITLES = [
  { title: "Chief Revenue Officer", seniority: "c_suite", weight: 100 },
  { title: "VP of Sales", seniority: "vp", weight: 85 },
  { title: "Head of Growth", seniority: "head", weight: 75 },
  { title: "Director of Marketing", seniority: "director", weight: 65 },
  { title: "Sales Operations Manager", seniority: "manager", weight: 45 },
  { title: "Account Executive", seniority: "senior", weight: 30 },
  { title: "Marketing Specialist", seniority: "entry", weight: 15 },
];
export const EMPLOYEE_COUNTS = [8, 35, 120, 450, 1_800, 12_000];
const INDUSTRIES = [
  "Software",
  "Healthcare",
  "Manufacturing",
  "Financial Services",
  "Education",
  "Retail",
];
const COUNTRIES = ["US", "GB", "DE", "FR", "CA", "NL", "SE", "AU", "BR", "IN"];
const FREE_MAIL = new Set([
  "gmail.com",
  "yahoo.com",
  "hotmail.com",
  "outlook.com",
  "icloud.com",
  "aol.com",
  "proton.me",
]);

/** What makes two rows the same person: email, else LinkedIn URL, else name and company, else the whole row. */
export function enrichmentIdentity(fields: Record<string, unknown>): string {
  const text = (key: string): string | undefined => {
    const value = fields[key];
    return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
  };
  const lead: Lead = {};
  const email = text("email");
  if (email) lead.email = normalizeEmail(email);
  for (const key of ["linkedin_url", "full_name", "first_name", "last_name", "company"]) {
    const value = text(key);
    if (value) lead[key] = value;
  }
  if (!lead.full_name && text("name")) lead.full_name = text("name")!;
  const domain = text("domain");
  if (domain) lead.domain = normalizeDomain(domain);
  // claypipe_id and callback_url change with every send of the same lead, so they do not count.
  const stable = Object.keys(fields)
    .filter((key) => !(RESERVED_FIELDS as readonly string[]).includes(key))
    .sort()
    .map((key) => [key, fields[key]]);
  return identityKey(lead) ?? `row:${JSON.stringify(stable)}`;
}

export function enrich(
  fields: Record<string, unknown>,
  notFoundRate: number,
  identity = enrichmentIdentity(fields),
): EnrichmentOutcome {
  const hash = createHash("sha256").update(identity).digest();
  const fraction = (offset: number) => hash.readUInt32BE(offset) / 4_294_967_296;
  const pick = <T>(list: readonly T[], offset: number): T =>
    list[hash.readUInt16BE(offset) % list.length]!;

  if (fraction(0) < notFoundRate) {
    const empty = Object.fromEntries(ENRICHMENT_FIELDS.map((field) => [field, null]));
    return {
      status: "not_found",
      fields: { ...empty, enrichment_status: "not_found" },
      cost: { actions: ENRICHMENT_ACTIONS, data: 0 },
    };
  }

  const text = (key: string) =>
    typeof fields[key] === "string" ? (fields[key] as string).trim() : "";
  const [fullFirst, ...fullRest] = (text("full_name") || text("name")).split(/\s+/).filter(Boolean);
  const firstName = text("first_name") || fullFirst || pick(FIRST_NAMES, 4);
  const lastName = text("last_name") || fullRest.join(" ") || pick(LAST_NAMES, 6);
  const inputEmail = normalizeEmail(text("email"));
  const emailDomain = inputEmail.split("@")[1] ?? "";
  const company = pick(COMPANIES, 8);
  const domain =
    (text("domain") && normalizeDomain(text("domain"))) ||
    (emailDomain && !FREE_MAIL.has(emailDomain) ? emailDomain : "") ||
    (text("company") ? `${slug(text("company"))}.com` : company.domain);
  const companyName =
    text("company") || (domain === company.domain ? company.name : titleCase(domain));
  const role = pick(TITLES, 10);
  const employees = pick(EMPLOYEE_COUNTS, 12);
  const provider = EMAIL_WATERFALL.find((step, index) => fraction(14 + index * 4) < step.hitRate)!;
  const workEmail =
    inputEmail && !FREE_MAIL.has(emailDomain)
      ? inputEmail
      : `${slug(firstName)}.${slug(lastName)}@${domain}`;

  return {
    status: "enriched",
    fields: {
      work_email: workEmail,
      work_email_source: provider.provider,
      title: role.title,
      seniority: role.seniority,
      company_name: companyName,
      company_domain: domain,
      employee_count: employees,
      industry: domain === company.domain ? company.industry : pick(INDUSTRIES, 26),
      country: pick(COUNTRIES, 28),
      linkedin_url:
        text("linkedin_url") ||
        `https://www.linkedin.com/in/${slug(firstName)}-${slug(lastName)}-${hash.toString("hex", 0, 3)}`,
      icp_score: icpScore(role.weight, employees, hash[30]!),
      enrichment_status: "enriched",
    },
    cost: {
      actions: ENRICHMENT_ACTIONS,
      data: provider.dataCredits + PERSON_DATA_CREDITS + COMPANY_DATA_CREDITS,
    },
  };
}

/** 0..100 from the role's weight, the company's size and a per-person byte of noise. */
export function icpScore(roleWeight: number, employees: number, noise: number): number {
  const sizeScore = Math.min(100, Math.log10(employees) * 25);
  const score = Math.round(0.55 * roleWeight + 0.3 * sizeScore + 0.15 * (noise / 2.55));
  return Math.max(0, Math.min(100, score));
}

function slug(text: string): string {
  return text
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "");
}

function titleCase(domain: string): string {
  const label = domain.split(".")[0] ?? domain;
  return label.charAt(0).toUpperCase() + label.slice(1);
}
