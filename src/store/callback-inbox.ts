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

export interface CallbackInbox {
  /**
   * Writes the callbacks durably (one transaction for the whole batch: the
   * receiver groups concurrent requests into one commit).
   */
  append(callbacks: NewCallback[]): Promise<void>;
  /** Unprocessed entries, oldest first. */
  pending(limit: number): Promise<InboxEntry[]>;
  markProcessed(ids: number[]): Promise<void>;
}
