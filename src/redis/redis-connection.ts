/**
 * The Redis connection behind a shared component: the caller's ioredis client,
 * or one opened from a URL (ioredis is loaded only then). Every command either
 * answers in time or fails with ClaypipeError("state_unavailable"); ioredis
 * reconnects by itself, so the next command after Redis comes back works again.
 */
import type { Redis } from "ioredis";
import { ClaypipeError, coerceError } from "../core/errors.js";
import { importBackend } from "../core/import-backend.js";
import { closeRedis } from "./open-redis.js";

export type RedisSource = Redis | { url: string };

// While ioredis reconnects it would queue commands; failing at once tells the caller now.
const DOWN_STATES = new Set(["reconnecting", "close", "end"]);

export class RedisConnection {
  private client: Promise<Redis> | undefined;
  private readonly owned: boolean;
  private lastError: string | undefined;
  private closed = false;

  /** `purpose` names what the state is for, in error messages (e.g. `the rate limit "claypipe:rate:ws"`). */
  constructor(
    private readonly source: RedisSource,
    private readonly purpose: string,
  ) {
    this.owned = "url" in source && typeof source.url === "string";
    if (!this.owned) this.client = Promise.resolve(source as Redis);
  }

  /** Runs `command`, failing with state_unavailable when Redis is down or slower than `timeoutMs`. */
  async run<T>(command: (redis: Redis) => Promise<T>, timeoutMs: number): Promise<T> {
    if (this.closed) {
      throw new ClaypipeError(
        "state_unavailable",
        `The Redis connection for ${this.purpose} is closed.`,
        {
          hint: "close() is for shutdown; create a new instance to go on.",
        },
      );
    }
    const redis = await this.open();
    if (DOWN_STATES.has(redis.status))
      throw this.unavailable(redis, `connection is ${redis.status}`);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(this.unavailable(redis, `no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    const answer = command(redis);
    // The command may still settle after the timeout; nobody is waiting for it then.
    answer.catch(() => undefined);
    try {
      return await Promise.race([answer, timedOut]);
    } catch (error) {
      if (error instanceof ClaypipeError) throw error;
      throw this.unavailable(redis, coerceError(error).message, error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends use of the connection, and closes it when it was opened from a URL; a caller's client stays open. */
  async close(): Promise<void> {
    this.closed = true;
    if (!this.owned || !this.client) return;
    const redis = await this.client.catch(() => undefined);
    this.client = undefined;
    if (!redis) return;
    await closeRedis(redis);
  }

  private open(): Promise<Redis> {
    if (!this.client) {
      const { url } = this.source as { url: string };
      this.client = importBackend("ioredis", this.purpose, () => import("ioredis")).then(
        ({ Redis }) => {
          const redis = new Redis(url);
          // Without a listener ioredis prints every failed reconnect; the last one goes into our error.
          redis.on("error", (error: Error) => {
            this.lastError = error.message;
          });
          return redis;
        },
        (error: unknown) => {
          this.client = undefined;
          throw error;
        },
      );
    }
    return this.client;
  }

  private unavailable(redis: Redis, reason: string, cause?: unknown): ClaypipeError {
    const { host, port } = redis.options;
    const detail =
      this.owned && this.lastError ? `${reason}; last error: ${this.lastError}` : reason;
    return new ClaypipeError(
      "state_unavailable",
      `Redis at ${host}:${port} is unavailable for ${this.purpose} (${detail}).`,
      {
        hint: "Start Redis or check its URL; claypipe reconnects by itself and goes on once Redis answers.",
        cause,
      },
    );
  }
}
