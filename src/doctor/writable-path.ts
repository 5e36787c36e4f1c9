/** Whether claypipe can create or write a file at a path: the file, or the nearest folder that exists. */
import { constants, existsSync, statSync } from "node:fs";
import { access } from "node:fs/promises";
import { dirname, resolve } from "node:path";

export type PathState =
  | { state: "writable"; exists: boolean }
  | { state: "not-writable"; blocker: string; reason: string };

export async function writablePath(path: string): Promise<PathState> {
  const file = resolve(path);
  if (existsSync(file)) {
    if (statSync(file).isDirectory()) {
      return { state: "not-writable", blocker: file, reason: "is a folder, not a file" };
    }
    return (await canWrite(file))
      ? { state: "writable", exists: true }
      : { state: "not-writable", blocker: file, reason: "is not writable by this user" };
  }
  let folder = dirname(file);
  while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder);
  if (!statSync(folder).isDirectory()) {
    return { state: "not-writable", blocker: folder, reason: "is a file where a folder should be" };
  }
  return (await canWrite(folder))
    ? { state: "writable", exists: false }
    : { state: "not-writable", blocker: folder, reason: "is not writable by this user" };
}

async function canWrite(path: string): Promise<boolean> {
  return access(path, constants.W_OK).then(
    () => true,
    () => false,
  );
}
