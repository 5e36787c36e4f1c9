/**
 * Sample leads for the demo: deterministic for a seed, with a share of people
 * who sign up twice (repeats) and a few bad records, as real traffic has.
 */

import { describeLeadIssues, validateLead } from "../core/lead.js";
import type { LeadRecord } from "../intake/files/lead-record.js";

const FIRST = [
  "Ada",
  "Grace",
  "Linus",
  "Margaret",
  "Alan",
  "Barbara",
  "Ken",
  "Radia",
  "Dennis",
  "Frances",
  "Guido",
  "Hedy",
  "Tim",
  "Katherine",
  "Edsger",
  "Anita",
];
const LAST = [
  "Lovelace",
  "Hopper",
  "Torvalds",
  "Hamilton",
  "Turing",
  "Liskov",
  "Thompson",
  "Perlman",
  "Ritchie",
  "Allen",
  "Rossum",
  "Lamarr",
  "Berners",
  "Johnson",
  "Dijkstra",
  "Borg",
];
const COMPANIES: Array<[string, string]> = [
  ["Acme Analytics", "acme-analytics.example"],
  ["Northwind Robotics", "northwind.example"],
  ["Globex Health", "globex-health.example"],
  ["Initech Cloud", "initech.example"],
  ["Umbrella Logistics", "umbrella-logistics.example"],
  ["Hooli Data", "hooli.example"],
  ["Stark Fintech", "stark-fintech.example"],
  ["Wayne Security", "wayne-security.example"],
];

/** A small seeded PRNG (mulberry32): the same seed gives the same demo. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface SampleLeadOptions {
  count: number;
  seed: number;
  /** Share of records that repeat an earlier person, exactly (rounded). @defaultValue 0.1 */
  repeatShare?: number;
  /** Records that fail validation, spread through the stream. @defaultValue 2 */
  badRecords?: number;
  /** New people with a free-mail address (gmail.com, …), spread through the stream. @defaultValue 0 */
  freeMail?: number;
}

/** The free-mail domains the demo's people may have; the demo's `enrichIf` rule skips them. */
export const FREE_MAIL_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com"] as const;

/** Raw records as a web form or CSV would give them (before validation). */
export function sampleLeadInputs(options: SampleLeadOptions): Array<Record<string, string>> {
  const random = seededRandom(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const people: Array<Record<string, string>> = [];
  const good: Array<Record<string, string>> = [];
  const badCount = options.badRecords ?? 2;
  const badEvery = Math.floor(options.count / (badCount + 1));
  const isBadSlot = (i: number) =>
    badEvery > 0 && i > 0 && i % badEvery === 0 && i / badEvery <= badCount;
  const repeats = repeatSlots(options, isBadSlot, random);
  const freeMail = freeMailSlots(options, (i) => isBadSlot(i) || repeats.has(i));
  for (let i = 0; i < options.count; i++) {
    if (repeats.has(i)) {
      people.push({ ...pick(good) });
      continue;
    }
    const [first, last, [company, domain]] = [pick(FIRST), pick(LAST), pick(COMPANIES)];
    const mailDomain = freeMail.has(i) ? FREE_MAIL_DOMAINS[i % FREE_MAIL_DOMAINS.length] : domain;
    const email = `${first}.${last}${i}@${mailDomain}`.toLowerCase();
    const person = {
      email: isBadSlot(i) ? email.replace("@", " at ") : email,
      first_name: first,
      last_name: last,
      company,
    };
    people.push(person);
    if (!isBadSlot(i)) good.push(person);
  }
  return people;
}

/** Which records are new people with a free-mail address: `freeMail` of the others, evenly spread. */
function freeMailSlots(options: SampleLeadOptions, taken: (i: number) => boolean): Set<number> {
  const free = Array.from({ length: options.count }, (_, i) => i).filter((i) => !taken(i));
  const wanted = Math.min(free.length, options.freeMail ?? 0);
  return new Set(
    Array.from(
      { length: wanted },
      (_, k) => free[Math.floor(((k + 1) * free.length) / (wanted + 1))]!,
    ),
  );
}

/**
 * Which records repeat an earlier person: round(count × repeatShare) of them,
 * at seeded places after the first record and off the bad ones, so the demo
 * has the share it says it has whatever the seed.
 */
function repeatSlots(
  options: SampleLeadOptions,
  isBadSlot: (i: number) => boolean,
  random: () => number,
): Set<number> {
  const slots = Array.from({ length: options.count }, (_, i) => i).filter(
    (i) => i > 0 && !isBadSlot(i),
  );
  const wanted = Math.min(slots.length, Math.round(options.count * (options.repeatShare ?? 0.1)));
  // A partial Fisher-Yates shuffle: the first `wanted` places are a seeded sample.
  for (let i = 0; i < wanted; i++) {
    const j = i + Math.floor(random() * (slots.length - i));
    [slots[i], slots[j]] = [slots[j]!, slots[i]!];
  }
  return new Set(slots.slice(0, wanted));
}

/** The same records as a validated stream, numbered like lines of a CSV with a header. */
export async function* sampleLeadRecords(options: SampleLeadOptions): AsyncIterable<LeadRecord> {
  let line = 1;
  for (const input of sampleLeadInputs(options)) {
    line++;
    const checked = validateLead(input);
    yield checked.ok
      ? { line, ok: true, lead: checked.lead }
      : { line, ok: false, reason: describeLeadIssues(checked.issues) };
  }
}
