/** The pg client library, loaded when a config names PostgreSQL (the store, or a postgres sink). */
import { importBackend } from "../core/import-backend.js";

/** pg's module; `neededBy` names what asked for it in the "not installed" error. */
export async function loadPg(neededBy: string): Promise<typeof import("pg").default> {
  // pg is CommonJS: its exports sit on the default export.
  return (await importBackend("pg", neededBy, () => import("pg"))).default;
}
