/**
 * docs/cli.md documents every command and option the `claypipe` program
 * defines, with the flags exactly as commander has them, and none it lacks:
 * an option added to a command without a line here fails.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/build-program.js";

const REFERENCE = readFileSync(new URL("../../docs/cli.md", import.meta.url), "utf8");

/** Each `## \`claypipe …\`` section's option lines: `- \`-t, --table <name>\`: …`. */
function documentedCommands(markdown: string): Map<string, string[]> {
  const commands = new Map<string, string[]>();
  let options: string[] | undefined;
  for (const line of markdown.split("\n")) {
    const heading = /^#{2,3} `(claypipe[^`]*)`$/.exec(line);
    if (heading) {
      options = [];
      commands.set(heading[1]!, options);
    } else if (/^#/.test(line)) {
      options = undefined;
    } else {
      const option = /^- `(-[^`]+)`/.exec(line);
      if (option && options) options.push(option[1]!);
    }
  }
  return commands;
}

/** Commands that run something, or define options: groups like `dlq` need no section. */
function definedCommands(command: Command, prefix = ""): Map<string, string[]> {
  const name = `${prefix}${command.name()}`;
  const found = new Map<string, string[]>();
  if (command.commands.length === 0 || command.options.length > 0) {
    found.set(
      name,
      command.options.map((option) => option.flags),
    );
  }
  for (const sub of command.commands) {
    for (const [path, options] of definedCommands(sub, `${name} `)) found.set(path, options);
  }
  return found;
}

describe("the CLI reference (docs/cli.md)", () => {
  const defined = definedCommands(buildProgram());
  const documented = documentedCommands(REFERENCE);

  it("reads the program's commands", () => {
    expect([...defined.keys()]).toContain("claypipe dlq replay");
    expect(defined.get("claypipe send")).toContain("-t, --table <name>");
  });

  it("has a section for every command, and none for a command that does not exist", () => {
    expect([...documented.keys()].sort()).toEqual([...defined.keys()].sort());
  });

  it.each([...defined.keys()])("documents each option of %s as the program defines it", (name) => {
    expect((documented.get(name) ?? []).slice().sort()).toEqual(defined.get(name)!.slice().sort());
  });
});
