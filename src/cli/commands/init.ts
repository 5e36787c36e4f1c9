/** `claypipe init`: writes a commented starter config for a tier. */
import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { DEFAULT_CONFIG_FILE } from "../../config/load-config.js";
import { SUPPORTED_TIERS, type SupportedTier, starterConfig } from "../../config/starter-config.js";
import { ClaypipeError } from "../../core/errors.js";
import { say } from "../output.js";

export function registerInit(program: Command): void {
  program
    .command("init")
    .description("write a commented starter config")
    .option("--tier <tier>", `one of: ${SUPPORTED_TIERS.join(", ")}`, "direct")
    .option("-o, --output <file>", "where to write it", DEFAULT_CONFIG_FILE)
    .option("--force", "overwrite an existing file")
    .action((options: { tier: string; output: string; force?: boolean }) => {
      if (!(SUPPORTED_TIERS as readonly string[]).includes(options.tier)) {
        throw new ClaypipeError("input_invalid", `unknown tier "${options.tier}"`, {
          hint: `choose one of: ${SUPPORTED_TIERS.join(", ")} (\`claypipe recommend\` helps pick)`,
        });
      }
      const file = resolve(options.output);
      if (existsSync(file) && !options.force) {
        throw new ClaypipeError("input_invalid", `${file} already exists`, {
          hint: "pass --force to overwrite it, or --output <file> to write elsewhere",
        });
      }
      writeFileSync(file, starterConfig(options.tier as SupportedTier));
      say(`wrote ${file} (tier: ${options.tier})`);
      say("next: put your webhook URL in it, then `claypipe send leads.csv`");
    });
}
