/**
 * People change jobs: the emulator's model of it, so that re-enriching a person can
 * come back different and a refresh has something to detect.
 *
 * The first enrichment of a person in a table is the identity-derived result, as
 * always. From the second on, a share of the enrichments finds the person in a new
 * role at another company; which ones is drawn from a hash of the identity and the
 * enrichment's number, so the same sequence of rows gives the same moves in every
 * run. Later enrichments find the person where they moved until they move again.
 * Costs do not change: the waterfall still pays the provider it paid before.
 */
import { createHash } from "node:crypto";
import type { PersonHistory, TableState } from "./emulator-state.js";
import {
  COMPANIES,
  EMPLOYEE_COUNTS,
  type EnrichmentOutcome,
  icpScore,
  TITLES,
} from "./enrichment.js";

/**
 * Counts one enrichment of `identity` in the table and returns the fields it finds:
 * the outcome's own, or the person's current job over them. A person nothing is found
 * for stays not found (and a forced move of theirs is used up).
 */
export function recordEnrichment(
  table: TableState,
  identity: string,
  outcome: EnrichmentOutcome,
): Record<string, unknown> {
  const person = personIn(table, identity);
  person.enrichments += 1;
  const forced = person.moveOnNextEnrichment;
  person.moveOnNextEnrichment = false;
  if (outcome.status !== "enriched") return outcome.fields;
  const current = { ...outcome.fields, ...person.job };
  const drawn =
    person.enrichments >= 2 && fraction(identity, person.enrichments) < table.spec.jobChanges.share;
  if (!forced && !drawn) return current;
  person.job = nextJob(identity, person.enrichments, current);
  table.counters.jobChanges++;
  return { ...current, ...person.job };
}

/** Makes the identity's next enrichment in the table find them in a new job. */
export function moveOnNextEnrichment(table: TableState, identity: string): PersonHistory {
  const person = personIn(table, identity);
  person.moveOnNextEnrichment = true;
  return person;
}

function personIn(table: TableState, identity: string): PersonHistory {
  let person = table.people.get(identity);
  if (!person) {
    person = { enrichments: 0, job: undefined, moveOnNextEnrichment: false };
    table.people.set(identity, person);
  }
  return person;
}

function hashOf(identity: string, enrichment: number): Buffer {
  return createHash("sha256").update(`${identity}\njob change ${enrichment}`).digest();
}

function fraction(identity: string, enrichment: number): number {
  return hashOf(identity, enrichment).readUInt32BE(0) / 4_294_967_296;
}

/**
 * A new title and seniority at another company: every job field differs from the
 * current one (name, domain, headcount and industry), and the work email keeps its
 * local part on the new domain.
 */
function nextJob(
  identity: string,
  enrichment: number,
  current: Record<string, unknown>,
): Record<string, unknown> {
  const hash = hashOf(identity, enrichment);
  const pick = <T>(list: readonly T[], offset: number): T =>
    list[hash.readUInt16BE(offset) % list.length]!;
  const role = pick(
    TITLES.filter((entry) => entry.title !== current.title),
    4,
  );
  const company = pick(
    COMPANIES.filter(
      (entry) => entry.domain !== current.company_domain && entry.industry !== current.industry,
    ),
    6,
  );
  const employees = pick(
    EMPLOYEE_COUNTS.filter((count) => count !== current.employee_count),
    8,
  );
  const localPart = String(current.work_email ?? "").split("@")[0] || "contact";
  return {
    title: role.title,
    seniority: role.seniority,
    company_name: company.name,
    company_domain: company.domain,
    employee_count: employees,
    industry: company.industry,
    work_email: `${localPart}@${company.domain}`,
    icp_score: icpScore(role.weight, employees, hash[10]!),
  };
}
