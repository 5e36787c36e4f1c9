/**
 * The `claypipe` command tree, built without running it: main.ts parses argv
 * with it, and the CLI reference's test reads its commands and options.
 */
import { Command } from "commander";
import { packageVersion } from "../core/package-version.js";
import { registerDemo } from "./commands/demo.js";
import { registerDlq } from "./commands/dlq.js";
import { registerDoctor } from "./commands/doctor.js";
import { registerEmulator } from "./commands/emulator.js";
import { registerEnrich } from "./commands/enrich.js";
import { registerImport } from "./commands/import.js";
import { registerInit } from "./commands/init.js";
import { registerLeads } from "./commands/leads.js";
import { registerRecommend } from "./commands/recommend.js";
import { registerRefresh } from "./commands/refresh.js";
import { registerSend } from "./commands/send.js";
import { registerStart } from "./commands/start.js";
import { registerStatus } from "./commands/status.js";

export function buildProgram(): Command {
  const program = new Command()
    .name("claypipe")
    .description("Run Clay enrichment pipelines: leads in, enriched rows out, nothing lost.")
    .version(packageVersion(), "-V, --version", "print claypipe's version")
    .showHelpAfterError("(run with --help for usage)");

  registerDemo(program);
  registerSend(program);
  registerImport(program);
  registerStart(program);
  registerStatus(program);
  registerDlq(program);
  registerRefresh(program);
  registerLeads(program);
  registerEnrich(program);
  registerRecommend(program);
  registerDoctor(program);
  registerInit(program);
  registerEmulator(program);
  return program;
}
