/** The direct tier's dedupe memory: bounded by the window, safe against a torn last line, no raw keys. */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SentLeadsFile } from "../../../src/tiers/direct/sent-leads-file.js";

const DAY = 86_400_000;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "claypipe-sent-"));
  dirs.push(dir);
  return join(dir, "state", "sent-leads.log");
}

describe("SentLeadsFile", () => {
  it("remembers what was sent across opens, within the window only", async () => {
    const path = tempPath();
    const file = await SentLeadsFile.open(path, { windowMs: 30 * DAY, now: 0 });
    await file.record("email:ada@acme.example", 1_000);
    await file.close();

    const later = await SentLeadsFile.open(path, { windowMs: 30 * DAY, now: 10 * DAY });
    expect(later.sentAt("email:ada@acme.example", 10 * DAY)).toBe(1_000);
    expect(later.sentAt("email:grace@navy.example", 10 * DAY)).toBeUndefined();
    expect(later.sentAt("email:ada@acme.example", 31 * DAY)).toBeUndefined();
    await later.close();
    expect(readFileSync(path, "utf8")).not.toContain("ada");
  });

  it("forgets expired entries on open and rewrites the file smaller, so it stays bounded", async () => {
    const path = tempPath();
    const file = await SentLeadsFile.open(path, { windowMs: DAY, now: 0 });
    for (let i = 0; i < 1_000; i++) await file.record(`email:old${i}@example.com`, 10);
    await file.record("email:new@example.com", DAY);
    await file.close();
    const before = statSync(path).size;

    const reopened = await SentLeadsFile.open(path, { windowMs: DAY, now: DAY + 100 });
    expect(reopened.size).toBe(1);
    await reopened.close();
    expect(statSync(path).size).toBeLessThan(before / 500);
    expect(await SentLeadsFile.count(path, { windowMs: DAY, now: DAY + 100 })).toBe(1);
  });

  it("skips a torn last line (a crash mid-append) and keeps every whole one", async () => {
    const path = tempPath();
    const file = await SentLeadsFile.open(path, { windowMs: DAY, now: 0 });
    await file.record("email:a@example.com", 5);
    await file.record("email:b@example.com", 6);
    await file.close();
    appendFileSync(path, "3f2a9c");

    const reopened = await SentLeadsFile.open(path, { windowMs: DAY, now: 10 });
    expect(reopened.size).toBe(2);
    expect(reopened.sentAt("email:b@example.com", 10)).toBe(6);
    await reopened.close();
    expect(readFileSync(path, "utf8").trim().split("\n")).toHaveLength(2);
  });

  it("keeps one entry per lead however often it was sent", async () => {
    const path = tempPath();
    const file = await SentLeadsFile.open(path, { windowMs: DAY, now: 0 });
    for (let at = 1; at <= 5; at++) await file.record("email:a@example.com", at);
    await file.close();
    const reopened = await SentLeadsFile.open(path, { windowMs: DAY, now: 10 });
    expect(reopened.size).toBe(1);
    expect(reopened.sentAt("email:a@example.com", 10)).toBe(5);
    await reopened.close();
    expect(readFileSync(path, "utf8").trim().split("\n")).toHaveLength(1);
  });
});
