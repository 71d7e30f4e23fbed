import { importMasterKey, MASTER_KEY_COMMAND, type MasterKey, toBase64 } from './crypto';

export interface MasterKeySource {
  /** `createAiu({ masterKey })`, else `AIU_MASTER_KEY`. */
  configured: string | undefined;
  production: boolean;
  /** Where a development key is kept when none is configured. */
  devKeyPath: string;
  warn(message: string): void;
}

/** Thrown by createAiu itself: production without a master key must not start. */
export function assertMasterKeyForProduction(source: MasterKeySource): void {
  if (source.production && !source.configured) {
    throw new Error(
      `[aiu] AIU_MASTER_KEY is not set. In production the keyring needs it to encrypt provider keys. ` +
        `Make one with: ${MASTER_KEY_COMMAND} and set it as AIU_MASTER_KEY (or pass createAiu({ masterKey })). ` +
        'To run without stored keys, pass createAiu({ keyring: false }).',
    );
  }
}

/**
 * The configured master key; outside production without one, a development key read
 * from (or created once, mode 0600, in) `.aiu/master.key`.
 */
export async function loadMasterKey(source: MasterKeySource): Promise<{ master: MasterKey; devFile: boolean }> {
  if (source.configured) return { master: await importMasterKey(source.configured), devFile: false };
  assertMasterKeyForProduction(source);
  const { mkdir, readFile, writeFile, chmod } = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  let encoded: string;
  try {
    encoded = (await readFile(source.devKeyPath, 'utf8')).trim();
  } catch {
    encoded = toBase64(crypto.getRandomValues(new Uint8Array(32)));
    await mkdir(dirname(source.devKeyPath), { recursive: true });
    // `wx`: if another process created it meanwhile, keep theirs.
    await writeFile(source.devKeyPath, `${encoded}\n`, { mode: 0o600, flag: 'wx' }).catch(async () => {
      encoded = (await readFile(source.devKeyPath, 'utf8')).trim();
    });
    await chmod(source.devKeyPath, 0o600).catch(() => {});
    source.warn(
      `[aiu] No AIU_MASTER_KEY: created a development master key in ${source.devKeyPath} (mode 0600). ` +
        'Stored provider keys are encrypted with it; set AIU_MASTER_KEY in production.',
    );
  }
  return { master: await importMasterKey(encoded), devFile: true };
}

export async function saveDevMasterKey(path: string, encoded: string): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  await writeFile(path, `${encoded}\n`, { mode: 0o600 });
}
