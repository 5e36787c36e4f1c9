#!/usr/bin/env node
/** The `claypipe` command: a thin caller of the library that only picks defaults. */
import { buildProgram } from "./build-program.js";
import { endQuietlyWhenOutputCloses, reportFailure } from "./output.js";

endQuietlyWhenOutputCloses();

buildProgram().parseAsync(process.argv).catch(reportFailure);
