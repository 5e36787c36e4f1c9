/**
 * The shared token bucket of one Clay workspace, as a Lua script Redis runs
 * atomically: every worker of the workspace takes its tokens, reports its 429s
 * and its successes through it. State lives in one hash (tokens, updated, rate,
 * pausedUntil); time is Redis server time, so the workers' clocks never matter.
 *
 * A key left idle for an hour after its bucket refilled expires: the workspace
 * then starts again full and at its configured rate. The count of 429s lives
 * in a key of its own beside it (`<key>:limited`), which never expires: it is
 * a running total, read as a difference over time.
 */
import type { Redis } from "ioredis";
import { RedisScript } from "../../redis/redis-script.js";

const SCRIPT = new RedisScript(`
local key = KEYS[1]
local operation = ARGV[1]
local configured = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
if not now then
  local time = redis.call("TIME")
  now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
end

local state = redis.call("HMGET", key, "tokens", "updated", "rate", "pausedUntil")
local tokens = math.min(tonumber(state[1]) or burst, burst)
local updated = tonumber(state[2]) or now
local rate = math.min(tonumber(state[3]) or configured, configured)
local pausedUntil = tonumber(state[4]) or 0

-- After a 429, updated lies at the pause's end: nothing is earned while paused.
if now > updated then
  tokens = math.min(burst, tokens + (now - updated) * rate / 1000)
  updated = now
end

local wait = 0
if operation == "take" then
  if now < pausedUntil then
    wait = pausedUntil - now
  elseif tokens >= 1 then
    tokens = tokens - 1
  else
    wait = (1 - tokens) * 1000 / rate
  end
elseif operation == "limited" then
  -- Requests in flight when Clay said 429 get 429 too: one cut per pause, not one per answer.
  if now >= pausedUntil then
    rate = math.max(tonumber(ARGV[7]), rate * tonumber(ARGV[6]))
  end
  pausedUntil = math.max(pausedUntil, now + tonumber(ARGV[5]))
  redis.call("INCR", KEYS[2])
  -- Clay's bucket was empty when it said 429: start again from empty when the pause ends.
  tokens = 0
  updated = math.max(updated, pausedUntil)
elseif operation == "success" then
  rate = math.min(configured, rate + tonumber(ARGV[5]))
else
  return redis.error_reply("unknown rate operation " .. tostring(operation))
end

redis.call("HSET", key, "tokens", tokens, "updated", updated, "rate", rate, "pausedUntil", pausedUntil)
redis.call("PEXPIRE", key, math.ceil(updated - now + burst * 1000 / rate) + 3600000)
return { math.ceil(wait), tostring(rate) }
`);

/** The key counting the workspace's 429s, beside its bucket's `key`. */
export function rateLimitedKey(key: string): string {
  return `${key}:limited`;
}

/** The bucket a worker asks for: the workspace rate and the part of its burst to use. */
export interface RateBucket {
  perSecond: number;
  burst: number;
}

export type RateOperation =
  /** Take one token, or learn how long until one is there. */
  | { op: "take" }
  /** Clay said 429: pause everyone and cut the shared rate (once per pause). */
  | { op: "limited"; pauseMs: number; decreaseFactor: number; minRate: number }
  /** Clay took a request: the shared rate regains `recoveryStep`, up to the configured one. */
  | { op: "success"; recoveryStep: number };

export interface RateAnswer {
  /** 0 when the token was taken; otherwise milliseconds until one can be. */
  waitMs: number;
  /** The workspace's shared rate after the operation, per second. */
  rate: number;
}

/**
 * Runs one operation on the workspace's bucket at `key`. `now` (ms) replaces
 * Redis server time; only a test that drives time itself should pass it.
 */
export async function runRateScript(
  redis: Redis,
  key: string,
  bucket: RateBucket,
  operation: RateOperation,
  now?: number,
): Promise<RateAnswer> {
  const args = [
    operation.op,
    bucket.perSecond,
    bucket.burst,
    now ?? "",
    ...operationArgs(operation),
  ];
  const [waitMs, rate] = (await SCRIPT.run(redis, [key, rateLimitedKey(key)], args)) as [
    number,
    string,
  ];
  return { waitMs: Number(waitMs), rate: Number(rate) };
}

function operationArgs(operation: RateOperation): number[] {
  switch (operation.op) {
    case "take":
      return [];
    case "limited":
      return [operation.pauseMs, operation.decreaseFactor, operation.minRate];
    case "success":
      return [operation.recoveryStep];
  }
}
