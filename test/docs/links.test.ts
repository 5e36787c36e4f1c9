/**
 * Every relative link in README.md and docs/**\/*.md points at a file that
 * exists and, when it names one, at a heading of that file (GitHub's anchors).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, "docs"), { recursive: true, encoding: "utf8" })
    .filter((path) => path.endsWith(".md"))
    .map((path) => join(ROOT, "docs", path));
  return [join(ROOT, "README.md"), ...docs];
}

function withoutFences(markdown: string): string {
  return markdown.replaceAll(/^```[\s\S]*?^```/gm, "");
}

/** GitHub's anchor for each heading: lower case, punctuation dropped, spaces to `-`, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const [, text] of withoutFences(markdown).matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const base = text!
      .replaceAll("`", "")
      .toLowerCase()
      .replaceAll(/[^\p{L}\p{N} _-]/gu, "")
      .replaceAll(" ", "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.add(count === 0 ? base : `${base}-${count}`);
  }
  return found;
}

function relativeLinks(markdown: string): string[] {
  // Inline code is emptied, so a `[x](y)` shown as code is not a link.
  const prose = withoutFences(markdown).replaceAll(/`[^`\n]*`/g, "``");
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe("links in the README and docs/", () => {
  const files = markdownFiles();

  it("finds the pages and their links", () => {
    expect(files.length).toBeGreaterThan(10);
    expect(relativeLinks(readFileSync(join(ROOT, "README.md"), "utf8")).length).toBeGreaterThan(5);
  });

  it.each(files.map((file) => relative(ROOT, file)))("%s links only to what exists", (name) => {
    const file = join(ROOT, name);
    const broken = relativeLinks(readFileSync(file, "utf8")).filter((link) => {
      const [path, anchor] = link.split("#") as [string, string | undefined];
      const target = path === "" ? file : resolve(dirname(file), decodeURI(path));
      if (!existsSync(target)) return true;
      if (anchor === undefined || !target.endsWith(".md")) return false;
      return !anchors(readFileSync(target, "utf8")).has(anchor);
    });
    expect(broken).toEqual([]);
  });
});
