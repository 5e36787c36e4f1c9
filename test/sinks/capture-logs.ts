/** A debug logger, as claypipe makes it, whose lines a test reads back (to check what never appears in them). */
import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/logging/create-logger.js";

export function captureLogs(lines: string[] = []): { logger: Logger; lines: string[] } {
  const logger = createLogger(
    "debug",
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  return { logger, lines };
}
