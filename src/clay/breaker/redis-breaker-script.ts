/**
 * The circuit breaker's state machine as one Lua script, so every worker of a
 * workspace opens, probes and closes the same breaker atomically. State: a hash
 * (state, openUntil, probeExpiresAt) and two sorted sets of send outcomes in
 * the window (all, failed), scored by time. Time comes from the caller: a
 * breaker's periods are seconds long, far above clock skew between machines.
 */
import type { Redis } from "ioredis";
import { RedisScript } from "../../redis/redis-script.js";

const SCRIPT = new RedisScript(`
local key, sends, failures = KEYS[1], KEYS[2], KEYS[3]
local operation = ARGV[1]
local now = tonumber(ARGV[2])
local openFor = tonumber(ARGV[3])
local state = redis.call("HGET", key, "state") or "closed"
local openUntil = tonumber(redis.call("HGET", key, "openUntil")) or 0
local probeExpiresAt = tonumber(redis.call("HGET", key, "probeExpiresAt")) or 0
local keep = openFor + tonumber(ARGV[4]) + 3600000

local function open(why)
  redis.call("HSET", key, "state", "open", "openUntil", now + openFor, "probeExpiresAt", 0)
  redis.call("DEL", sends, failures)
  redis.call("PEXPIRE", key, keep)
  return { "opened", now + openFor, why }
end

if operation == "state" then
  if state == "open" and now >= openUntil then return { "half_open" } end
  return { state }
end

if operation == "allow" then
  if state == "closed" then return { "allowed" } end
  if state == "open" then
    if now < openUntil then return { "wait", "open", openUntil } end
    state = "half_open"
  elseif now < probeExpiresAt then
    return { "wait", "half_open", probeExpiresAt }
  end
  -- A probe whose send never reports back would hold it half-open for good; after openFor another may go.
  redis.call("HSET", key, "state", "half_open", "probeExpiresAt", now + openFor)
  redis.call("PEXPIRE", key, keep)
  return { "probe" }
end

-- operation == "record": ARGV[5] success (1/0), ARGV[6] minRequests, ARGV[7] failureRate, ARGV[8] member
if state == "open" then return { "ignored" } end
local success = ARGV[5] == "1"
if state == "half_open" then
  if success then
    redis.call("HSET", key, "state", "closed", "probeExpiresAt", 0)
    redis.call("DEL", sends, failures)
    return { "closed" }
  end
  return open("the probe failed")
end
local window = tonumber(ARGV[4])
redis.call("ZADD", sends, now, ARGV[8])
if not success then redis.call("ZADD", failures, now, ARGV[8]) end
redis.call("ZREMRANGEBYSCORE", sends, "-inf", now - window)
redis.call("ZREMRANGEBYSCORE", failures, "-inf", now - window)
redis.call("PEXPIRE", sends, window)
redis.call("PEXPIRE", failures, window)
if success then return { "recorded" } end
local total = redis.call("ZCARD", sends)
if total < tonumber(ARGV[6]) then return { "recorded" } end
local failed = redis.call("ZCARD", failures)
if failed / total >= tonumber(ARGV[7]) then
  return open(failed .. " of the last " .. total .. " sends failed")
end
return { "recorded" }
`);

export interface BreakerKeys {
  state: string;
  sends: string;
  failures: string;
}

export interface BreakerTimes {
  now: number;
  openFor: number;
  window: number;
}

export type BreakerReply = [string, ...Array<string | number>];

export async function runBreakerScript(
  redis: Redis,
  keys: BreakerKeys,
  operation: "state" | "allow" | "record",
  times: BreakerTimes,
  recordArgs: Array<string | number> = [],
): Promise<BreakerReply> {
  return (await SCRIPT.run(
    redis,
    [keys.state, keys.sends, keys.failures],
    [operation, times.now, times.openFor, times.window, ...recordArgs],
  )) as BreakerReply;
}
