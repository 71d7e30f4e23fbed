import type { Redis, RedisOptions } from 'ioredis';
import { type BreakerSnapshot, CLOSED, type StateBackend, type WindowResult } from './state';

export interface RedisStateOptions {
  /** An ioredis client to use (not closed by aiu). */
  client?: Redis;
  /** Or a URL to connect to (`redis://127.0.0.1:6379`). */
  url?: string;
  redisOptions?: RedisOptions;
  /** Prefix for every key. Default `aiu:`. */
  prefix?: string;
}

// Every script reads Redis's own clock, so instances with drifting clocks still agree.
const WINDOW_TAKE = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local weight = tonumber(ARGV[3])
local id = ARGV[4]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local entries = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
local sum = 0
for i = 1, #entries, 2 do sum = sum + tonumber(string.match(entries[i], '|(%d+)$')) end
local reset = window
if entries[2] then reset = tonumber(entries[2]) + window - now end
if sum + weight <= limit or sum == 0 then
  redis.call('ZADD', key, now, id .. '|' .. weight)
  redis.call('PEXPIRE', key, window)
  return {1, math.max(0, limit - sum - weight), reset, 0}
end
local left = sum
for i = 1, #entries, 2 do
  left = left - tonumber(string.match(entries[i], '|(%d+)$'))
  if left + weight <= limit then return {0, math.max(0, limit - sum), reset, tonumber(entries[i + 1]) + window - now} end
end
return {0, math.max(0, limit - sum), reset, window}
`;

const WINDOW_ADJUST = `
local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #entries, 2 do
  if string.sub(entries[i], 1, string.len(ARGV[1]) + 1) == ARGV[1] .. '|' then
    redis.call('ZREM', KEYS[1], entries[i])
    if tonumber(ARGV[2]) > 0 then redis.call('ZADD', KEYS[1], entries[i + 1], ARGV[1] .. '|' .. ARGV[2]) end
    return 1
  end
end
return 0
`;

const COUNTER_RESERVE = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local amount = tonumber(ARGV[2])
if used + amount > tonumber(ARGV[1]) then return {0, used} end
local value = redis.call('INCRBY', KEYS[1], amount)
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return {1, value}
`;

const COUNTER_ADD = `
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return value
`;

// Compare-and-set on a version, so breaker transitions stay in one (shared) TypeScript function.
const BREAKER_CAS = `
local current = redis.call('GET', KEYS[1])
local version = 0
if current then version = cjson.decode(current).v end
if version ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`;

const BREAKER_TTL_MS = 24 * 60 * 60 * 1000;

type Versioned = BreakerSnapshot & { v: number };

let counter = 0;

/**
 * Limits, quotas and circuit breakers in Redis, with atomic scripts, so N handler
 * processes behave as one. Pass it as `createAiu({ state: redisState({ url }) })`.
 */
export function redisState(options: RedisStateOptions = {}): StateBackend {
  const prefix = options.prefix ?? 'aiu:';
  let client: Redis | undefined = options.client;
  const owns = !options.client;
  const instance = Math.random().toString(36).slice(2, 10);

  async function redis(): Promise<Redis> {
    if (client) return client;
    const module = (await import('ioredis')) as unknown as { default: new (url?: string, options?: RedisOptions) => Redis };
    client = new module.default(options.url ?? 'redis://127.0.0.1:6379', { lazyConnect: false, maxRetriesPerRequest: 2, ...options.redisOptions });
    return client;
  }

  const k = (key: string) => `${prefix}${key}`;

  return {
    kind: 'redis',

    async windowTake(key, limit, windowMs, weight): Promise<WindowResult> {
      const id = `${instance}${(++counter).toString(36)}`;
      const [allowed, remaining, resetMs, retryAfterMs] = (await (await redis()).eval(WINDOW_TAKE, 1, k(key), limit, windowMs, Math.round(weight), id)) as number[];
      return {
        allowed: allowed === 1,
        limit,
        remaining: remaining ?? 0,
        resetMs: resetMs ?? windowMs,
        retryAfterMs: retryAfterMs ?? 0,
        entryId: allowed === 1 ? id : null,
      };
    },

    async windowAdjust(key, entryId, weight) {
      await (await redis()).eval(WINDOW_ADJUST, 1, k(key), entryId, Math.round(weight));
    },

    async counterReserve(key, limit, amount, ttlMs) {
      const [allowed, used] = (await (await redis()).eval(COUNTER_RESERVE, 1, k(key), Math.round(limit), Math.round(amount), Math.round(ttlMs))) as number[];
      return { allowed: allowed === 1, used: used ?? 0 };
    },

    async counterAdd(key, amount, ttlMs) {
      return Number(await (await redis()).eval(COUNTER_ADD, 1, k(key), Math.round(amount), Math.round(ttlMs)));
    },

    async counterGet(key) {
      return Number((await (await redis()).get(k(key))) ?? 0);
    },

    async breakerUpdate(key, update) {
      const connection = await redis();
      for (let tries = 0; tries < 50; tries++) {
        const raw = await connection.get(k(key));
        const current: Versioned = raw ? (JSON.parse(raw) as Versioned) : { ...CLOSED, v: 0 };
        const { next, result } = update(current);
        // Most updates are admissions through a closed circuit, which change nothing: the read
        // was the atomic step, and a write would cost a second round trip before every call.
        if (next === current) return result;
        const stored: Versioned = { ...next, v: current.v + 1 };
        if ((await connection.eval(BREAKER_CAS, 1, k(key), current.v, JSON.stringify(stored), BREAKER_TTL_MS)) === 1) return result;
      }
      throw new Error(`[aiu] The breaker ${key} kept changing under contention; giving up this update.`);
    },

    async breakerAll() {
      const connection = await redis();
      const found: Record<string, BreakerSnapshot> = {};
      let cursor = '0';
      do {
        const [next, keys] = await connection.scan(cursor, 'MATCH', `${prefix}breaker:*`, 'COUNT', 200);
        cursor = next;
        for (const key of keys) {
          const raw = await connection.get(key);
          if (raw) {
            const { v: _version, ...snapshot } = JSON.parse(raw) as Versioned;
            found[key.slice(prefix.length)] = snapshot;
          }
        }
      } while (cursor !== '0');
      return found;
    },

    async close() {
      if (client && owns) await client.quit().catch(() => client?.disconnect());
      if (owns) client = undefined;
    },
  };
}
