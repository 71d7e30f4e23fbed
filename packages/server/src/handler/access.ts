import { ForbiddenError } from '@aiu/core';
import type { Identity } from '../identity';
import { BridgedRequest, type IncomingRequest, webRequest } from './incoming';

export type AiuAction = 'providers:list' | 'keys:create' | 'keys:validate' | 'keys:delete' | 'logs:read' | 'usage:read';

export interface AuthorizeArgs {
  identity: Identity;
  action: AiuAction;
  /** What the action touches: a provider and key alias, or whose data is read. */
  resource: { provider?: string; alias?: string; owner?: string };
  request: Request;
}

export type AuthorizeFn = (args: AuthorizeArgs) => boolean | Promise<boolean>;

/** Per-request facts only the transport knows (the peer's address), set by an adapter for a Web `Request`. */
const transportFacts = new WeakMap<IncomingRequest, { clientAddress?: string | undefined }>();

export function setClientAddress(request: Request | IncomingRequest, clientAddress: string | undefined): void {
  transportFacts.set(request, { clientAddress });
}

export function clientAddressOf(request: IncomingRequest): string | undefined {
  // The Node bridge carries it on the request it builds.
  if (request instanceof BridgedRequest && request.clientAddress !== undefined) return request.clientAddress;
  return transportFacts.get(request)?.clientAddress;
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/**
 * Key routes are secure by default: without `authorize`, only requests from loopback
 * are answered, and only outside production. Everything else needs `authorize` to say yes.
 */
export async function requireKeyAccess(
  authorize: AuthorizeFn | undefined,
  production: boolean,
  args: Omit<AuthorizeArgs, 'request'> & { request: IncomingRequest },
): Promise<void> {
  if (authorize) {
    if (await authorize({ ...args, request: webRequest(args.request) })) return;
    throw new ForbiddenError(`Not allowed: ${args.action}.`);
  }
  if (!production && isLoopback(clientAddressOf(args.request))) return;
  throw new ForbiddenError(
    production
      ? 'Key routes need createAiu({ authorize }) in production.'
      : 'Key routes answer only local requests unless createAiu({ authorize }) allows more.',
  );
}
