import type { ModelCatalog } from '../catalog/catalog';
import type { ModelDiscovery } from '../catalog/discovery';
import type { ChatRuntime } from '../orchestrator/chatCall';
import type { Identity } from '../identity';
import type { ClientKeys } from '../clientKeys/clientKeys';
import type { Keyring } from '../keyring/keyring';
import type { AuthorizeFn } from './access';
import type { LogWriter } from '../log/writer';
import type { AiuStore } from '../stores/types';

/** What every route shares: the instance's parts and settings. */
export interface InstanceContext {
  runtime: ChatRuntime;
  /** True when `identify` is configured: reads are then scoped to the caller. */
  scoped: boolean;
  store: () => Promise<AiuStore>;
  log: LogWriter;
  discovery: ModelDiscovery;
  catalog: ModelCatalog;
  keyring: Keyring | null;
  clientKeys: ClientKeys;
  authorize: AuthorizeFn | undefined;
  production: boolean;
  maxBodyBytes: number;
  /** `/chat`'s own limit: its requests carry images and files. */
  maxChatBodyBytes: number;
  pingIntervalMs: number;
}

/** What a route gets besides the request: the instance, and who is calling from where. */
export interface RouteContext extends InstanceContext {
  identity: Identity;
  /** The peer's own address, as the transport said (never a forwarded header). */
  clientAddress: string | undefined;
}

export type RouteHandler = (request: Request, params: Record<string, string>, context: RouteContext) => Promise<Response>;
