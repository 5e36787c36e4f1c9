/**
 * Loads a backend library (or the module of ours that imports it) when a
 * config names it, so importing claypipe loads none of them, and a missing one
 * says which package to install.
 */
import { ClaypipeError } from "./errors.js";

/**
 * `importBackend("bullmq", "the queue tier", () => import("bullmq"))`: the
 * import's result, or a ClaypipeError naming the package when it is not installed.
 * `install` replaces the `npm i` hint for a package that needs more (system libraries).
 */
export async function importBackend<T>(
  packageName: string,
  neededBy: string,
  load: () => Promise<T>,
  install = `run \`npm i ${packageName}\` where claypipe is installed`,
): Promise<T> {
  try {
    return await load();
  } catch (thrown) {
    if (!isMissingPackage(thrown, packageName)) throw thrown;
    throw new ClaypipeError(
      "config_invalid",
      `${neededBy} needs the ${packageName} package, which is not installed`,
      { hint: install, cause: thrown },
    );
  }
}

function isMissingPackage(thrown: unknown, packageName: string): boolean {
  if (!(thrown instanceof Error)) return false;
  const code = (thrown as { code?: unknown }).code;
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return false;
  // Node quotes the specifier it could not find: 'pg', or a path inside the package.
  return thrown.message.includes(`'${packageName}'`) || thrown.message.includes(`'${packageName}/`);
}
