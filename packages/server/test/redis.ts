import { Redis } from 'ioredis';

export const REDIS_URL = process.env.AIU_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Like postgresReachable: a loud skip on a developer machine, a failure under CI=true. */
export async function redisReachable(): Promise<boolean> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000, retryStrategy: () => null });
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch (error) {
    const message = `Redis at ${REDIS_URL} is not reachable (${(error as Error).message}); set AIU_TEST_REDIS_URL.`;
    if (process.env.CI === 'true') throw new Error(`${message} CI requires it.`, { cause: error });
    console.warn(`\n⚠⚠⚠ SKIPPING Redis tests: ${message}\n`);
    return false;
  } finally {
    client.disconnect();
  }
}

/** A key prefix of its own per test, and a way to delete what it wrote. */
export function redisTestPrefix(): { prefix: string; cleanup(): Promise<void> } {
  const prefix = `aiu-test:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}:`;
  return {
    prefix,
    async cleanup() {
      const client = new Redis(REDIS_URL);
      const keys = await client.keys(`${prefix}*`);
      if (keys.length) await client.del(...keys);
      client.disconnect();
    },
  };
}
