/** Whole-file writes a crash cannot tear: temp file, fsync, rename over the old one. */
import { open, rename } from "node:fs/promises";

export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  const handle = await open(temp, "w");
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}
