/**
 * Wake-ups across processes through PostgreSQL's LISTEN/NOTIFY: a statement
 * that writes work for another process also notifies a channel (delivered at
 * its commit), and the processes that take that work listen on it, so they
 * need not poll often. One connection of its own (not the pool's: a pool of 2
 * would lose half) listens while anyone subscribes; when it breaks it is
 * opened again after a pause. A notification is only a hint: the listeners'
 * polls stay, slower, for what was sent while the connection was down.
 */
import { createHash } from "node:crypto";
import type { Client } from "pg";

const RECONNECT_MS = 1000;

/** A channel name for `topic` in `schema`: within PostgreSQL's 63 bytes, whatever the schema. */
export function notifyChannel(schema: string, topic: string): string {
  return `claypipe_${topic}_${createHash("sha256").update(schema).digest("hex").slice(0, 16)}`;
}

export class PostgresNotifications {
  private readonly listeners = new Set<() => void>();
  private client: Client | undefined;
  private connecting: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly channel: string,
    private readonly openClient: () => Promise<Client>,
  ) {}

  /** Calls `listener` on each notification of the channel; returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    this.connect();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) void this.disconnect();
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.disconnect();
  }

  private connect(): void {
    if (this.closed || this.client || this.connecting || this.retry) return;
    this.connecting = this.listen()
      .catch(() => this.reconnectLater())
      .finally(() => {
        this.connecting = undefined;
      });
  }

  private async listen(): Promise<void> {
    const client = await this.openClient();
    client.on("notification", () => {
      for (const listener of this.listeners) listener();
    });
    const lost = () => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => {});
      this.reconnectLater();
    };
    client.on("error", lost);
    client.on("end", lost);
    try {
      await client.query(`LISTEN "${this.channel}"`);
    } catch (thrown) {
      await client.end().catch(() => {});
      throw thrown;
    }
    if (this.closed || this.listeners.size === 0) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    // Whatever was notified while no one listened: the listeners look once now.
    for (const listener of this.listeners) listener();
  }

  private reconnectLater(): void {
    if (this.closed || this.listeners.size === 0 || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect();
    }, RECONNECT_MS);
    this.retry.unref();
  }

  private async disconnect(): Promise<void> {
    clearTimeout(this.retry);
    this.retry = undefined;
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }
}
