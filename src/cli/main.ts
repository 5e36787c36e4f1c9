#!/usr/bin/env node
/** The `claypipe` command: a thin caller of the library that only picks defaults. */
import { Command } from "commander";
import { registerDemo } from "./commands/demo.js";
import { registerEmulator } from "./commands/emulator.js";
import { registerEnrich } from "./commands/enrich.js";
import { registerInit } from "./commands/init.js";
import { registerRecommend } from "./commands/recommend.js";
import { registerSend } from "./commands/send.js";
import { reportFailure } from "./output.js";

const program = new Command()
  .name("claypipe")
  .description("Run Clay enrichment pipelines: leads in, enriched rows out, nothing lost.")
  .showHelpAfterError("(run with --help for usage)");

registerDemo(program);
registerSend(program);
registerEnrich(program);
registerRecommend(program);
registerInit(program);
registerEmulator(program);

program.parseAsync(process.argv).catch(reportFailure);
