import type { ModelCatalog } from '../catalog/catalog';
import type { ModelDiscovery } from '../catalog/discovery';
import type { ChatRuntime } from '../orchestrator/chatCall';
import type { Identity } from '../identity';
import type { Keyring } from '../keyring/keyring';
import type { AuthorizeFn } from './access';
import type { LogWriter } from '../log/writer';
import type { AiuStore } from '../stores/types';

/** What every route handler gets besides the request. */
export interface RouteContext {
  runtime: ChatRuntime;
  identity: Identity;
  /** True when `identify` is configured: reads are then scoped to the caller. */
  scoped: boolean;
  store: () => Promise<AiuStore>;
  log: LogWriter;
  discovery: ModelDiscovery;
  catalog: ModelCatalog;
  keyring: Keyring | null;
  authorize: AuthorizeFn | undefined;
  production: boolean;
  maxBodyBytes: number;
  pingIntervalMs: number;
}
