/**
 * The callback inbox port: every verified callback is written here before
 * Clay gets its 200, and processed from here, so a crash between the answer
 * and the routing loses nothing.
 */

export interface NewCallback {
  leadId: string;
  attempt: number;
  /** The body Clay's HTTP API column posted. */
  body: Record<string, unknown>;
  receivedAt: number;
}

export interface InboxEntry extends NewCallback {
  id: number;
}

/** The lead a callback answers, as the receiver needs it to answer Clay and announce the result. */
export interface CallbackLead {
  identityKey: string;
  workspace: string;
  table: string;
  /** It had its result already: the callback was not written (the first result wins). */
  hadResult: boolean;
}

export interface CallbackInbox {
  /**
   * Writes the callbacks durably (one transaction for the whole batch: the
   * receiver groups concurrent requests into one commit).
   */
  append(callbacks: NewCallback[]): Promise<void>;
  /**
   * The receiver's append: in one transaction, reads each callback's lead and
   * writes the callbacks whose lead exists and has no result yet. Answers, in
   * order, each callback's lead, or undefined when there is no such lead. One
   * statement for the batch where a separate read per callback cost a round trip each.
   */
  appendAwaited(callbacks: NewCallback[]): Promise<Array<CallbackLead | undefined>>;
  /**
   * Claims up to `limit` unprocessed entries, oldest first, that no live claim
   * holds: they are held until `now + leaseMs`, so processes sharing the store
   * take disjoint entries. An entry whose claimer stopped before marking it
   * processed is claimable again once that lease ends. A lease of 0 holds
   * nothing: it reads what the next claim would take.
   */
  claim(limit: number, leaseMs: number, now: number): Promise<InboxEntry[]>;
  /** Ends the claim on entries taken but not processed, so the next claim takes them at once. */
  release(ids: number[]): Promise<void>;
  markProcessed(ids: number[]): Promise<void>;
  /**
   * Where other processes append (a shared store): calls `listener` soon after
   * callbacks are appended by any process, a hint to claim now instead of at
   * the next poll. Returns the unsubscribe. Absent where one process owns the store.
   */
  onAppended?(listener: () => void): () => void;
  /**
   * How many callbacks were ever appended, for activity over time: the
   * highest entry id, read from the primary key in constant time. It only
   * grows; an append that failed may have used ids, so it can run a little
   * above the entries kept.
   */
  totalReceived(): Promise<number>;
}
