/** Where a workspace's work lives in Redis: BullMQ names may not contain ":", config names cannot. */
export function sendQueueName(workspace: string): string {
  return `send-${workspace}`;
}

/** The key of the lock one feeder holds while it tops a workspace's queue up. */
export function feedLockKey(prefix: string, workspace: string): string {
  return `${prefix}:feed-lock:${workspace}`;
}

/** One job per lead: its id is the lead's, so feeding a lead twice adds it once. */
export interface SendJobData {
  leadId: string;
}
