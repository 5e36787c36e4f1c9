/** A real pino logger whose lines land in an array, to check what was logged. */
import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/logging/create-logger.js";

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export function captureLogs(level = "debug"): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(text));
      done();
    },
  });
  return { logger: createLogger(level, destination), lines };
}

export const WARN = 40;
export const ERROR = 50;
