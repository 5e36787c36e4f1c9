/** The Store contract on SQLite, each test on its own temporary file. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteStore } from "../../src/store/sqlite/index.js";
import { runStoreContract } from "./store-contract.js";

runStoreContract("SQLite", async () => {
  const dir = await mkdtemp(join(tmpdir(), "claypipe-store-"));
  const store = await createSqliteStore({ path: join(dir, "nested", "claypipe.db") });
  return {
    store,
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
