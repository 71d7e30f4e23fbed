import { MissingApiKeyError } from '@aiu/core';
import type { Identity } from '../identity';
import type { ProviderRegistry } from '../providers/registry';
import type { Provider } from '../providers/types';
import type { Keyring } from './keyring';
import type { KeyScope } from './types';

/**
 * Keys, client keys and quotas belong to this owner: the tenant (user, project). A user in two
 * projects owns two sets; a caller with neither owns the shared ones (''). Owners of one part
 * keep the form they had before projects counted (`user:…`, `project:…`).
 */
export function ownerOf(identity: Identity): string {
  const { userId, projectId } = identity;
  // Its own prefix, both parts encoded: no single-part owner can spell it.
  if (userId && projectId) return `tenant:${encodeURIComponent(projectId)}:${encodeURIComponent(userId)}`;
  if (userId) return `user:${userId}`;
  if (projectId) return `project:${projectId}`;
  return '';
}

export interface ResolvedKey {
  apiKey: string | undefined;
  /** Set when the key came from the keyring, so a 401 can mark that row invalid. */
  stored?: { owner: string; alias: string };
}

/**
 * Which key a call uses: the caller's stored key (`keyAlias`, else `default`), then the
 * key configured in code, then the provider's env var; otherwise `missing_api_key`
 * naming every way to add one.
 */
export class KeyResolver {
  constructor(
    private readonly keyring: Keyring | null,
    private readonly providers: ProviderRegistry,
    private readonly env: Record<string, string | undefined>,
  ) {}

  async resolve(identity: Identity, provider: Provider, keyAlias: string | undefined, scope: KeyScope): Promise<ResolvedKey> {
    const owner = ownerOf(identity);
    if (this.keyring) {
      const alias = keyAlias ?? 'default';
      const stored = await this.keyring.reveal(owner, provider.id, alias, scope);
      if (stored) return { apiKey: stored, stored: { owner, alias } };
      if (keyAlias) {
        throw new MissingApiKeyError(`No ${scope} key "${keyAlias}" is stored for ${provider.id}. Save one with POST /keys, or leave keyAlias out to use the default key.`);
      }
    }
    const configured = this.providers.configuredKey(provider, this.env);
    if (configured || !provider.requiresKey) return { apiKey: configured };
    const ways = [`pass providers.${provider.id}.apiKey to createAiu`];
    if (provider.envKey) ways.push(`set ${provider.envKey}`);
    if (this.keyring) ways.unshift('save one with POST /keys (ProviderKeyForm)');
    throw new MissingApiKeyError(`No API key for ${provider.id}. To add one, ${ways.join(', or ')}.`);
  }

  /** A stored key the provider rejected is marked invalid, so the UI can say so. */
  rejected(provider: string, stored: ResolvedKey['stored']): void {
    if (stored && this.keyring) void this.keyring.setStatus(stored.owner, provider, stored.alias, 'invalid').catch(() => {});
  }
}
