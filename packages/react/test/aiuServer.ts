import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAiu, memoryStore, type AiuOptions } from '@aiu/server';
import { toNodeListener } from '@aiu/server/node';
import { http, passthrough } from 'msw';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { server as msw } from './setup';

/**
 * A real aiu on a loopback socket for the suite, with msw letting its requests through: hooks
 * tested against the routes as they are. `base()` is its mount URL once the suite started.
 */
export function realAiuServer(options: Partial<AiuOptions> = {}): { base: () => string } {
  const aiu = createAiu({ store: memoryStore(), env: {}, logger: { warn() {} }, ...options });
  const server = createServer(toNodeListener(aiu));
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/aiu`;
  });
  beforeEach(() => msw.use(http.all(`${base}/*`, () => passthrough())));
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await aiu.close();
  });
  return { base: () => base };
}
