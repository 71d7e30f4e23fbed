import { type Aiu, createAiu } from '@aiu/server';

const globalForAiu = globalThis as unknown as { aiu?: Aiu };

/**
 * One aiu per server process, created on the first request (Next evaluates route modules
 * while it builds; production settings are checked when it serves). Keys: OPENAI_API_KEY
 * etc., or stored through the Keys page. Next has no socket address, so the key routes
 * need `authorize`: here, allowed in development only.
 */
export function getAiu(): Aiu {
  globalForAiu.aiu ??= createAiu({ authorize: () => process.env.NODE_ENV !== 'production' });
  return globalForAiu.aiu;
}
