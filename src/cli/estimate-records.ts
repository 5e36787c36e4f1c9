/** A quick count of records in a lead file (lines less the CSV header), for the progress ETA. */
import { createReadStream } from "node:fs";

export async function estimateRecords(
  path: string,
  format: "csv" | "jsonl",
): Promise<number | undefined> {
  if (path === "-") return undefined;
  let newlines = 0;
  let lastByte = 10;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
    lastByte = chunk.at(-1) ?? lastByte;
  }
  const lines = newlines + (lastByte === 10 ? 0 : 1);
  return Math.max(0, format === "csv" ? lines - 1 : lines);
}
