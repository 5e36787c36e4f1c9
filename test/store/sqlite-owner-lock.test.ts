/** The SQLite store's owner lock: one owner at a time, free again once the owner closes. */
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createSqliteStore } from "../../src/store/sqlite/index.js";
import { sqliteDriversToTest } from "./sqlite-drivers.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

for (const driver of sqliteDriversToTest()) {
  describe(`the SQLite store's owner (${driver})`, () => {
    it("refuses a second owner while the first holds the store, and lets readers in", async () => {
      const dir = await mkdtemp(join(tmpdir(), "claypipe-owner-lock-"));
      dirs.push(dir);
      const path = join(dir, "claypipe.db");
      const owner = await createSqliteStore({ path, driver });
      const other = await createSqliteStore({ path, driver });
      try {
        await owner.claimOwnership?.();
        await owner.claimOwnership?.();
        await expect(other.claimOwnership?.()).rejects.toMatchObject({
          code: "state_unavailable",
          message: expect.stringContaining(
            `${path} is in use by another claypipe: process ${process.pid} on `,
          ),
        });
        expect(await other.leads.countByState()).toMatchObject({ queued: 0 });

        await owner.close();
        await other.claimOwnership?.();
      } finally {
        await owner.close();
        await other.close();
      }
    });

    it("refuses a second owner that reaches the same file through a symlink or another spelling", async () => {
      const dir = await mkdtemp(join(tmpdir(), "claypipe-owner-lock-"));
      dirs.push(dir);
      const path = join(dir, "claypipe.db");
      const owner = await createSqliteStore({ path, driver });
      await owner.claimOwnership?.();
      await symlink(path, join(dir, "link.db"));
      await mkdir(join(dir, "sub"));
      const others = await Promise.all(
        [join(dir, "link.db"), `${dir}/sub/../claypipe.db`].map((other) =>
          createSqliteStore({ path: other, driver }),
        ),
      );
      try {
        for (const other of others) {
          await expect(other.claimOwnership?.()).rejects.toMatchObject({
            code: "state_unavailable",
            message: expect.stringContaining(`process ${process.pid} on `),
          });
        }
      } finally {
        await owner.close();
        for (const other of others) await other.close();
      }
    });
  });
}
