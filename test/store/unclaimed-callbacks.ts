/** What the next inbox claim at `now` would take, oldest first: a claim of no time holds nothing. */
import type { InboxEntry, Store } from "../../src/store/store.js";

export function unclaimedCallbacks(
  store: Store,
  now: number,
  limit = 1_000,
): Promise<InboxEntry[]> {
  return store.inbox.claim(limit, 0, now);
}
