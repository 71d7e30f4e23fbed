import type { Options } from 'tsup';

/** One build shape for every package: ESM + CJS + types, tree-shakeable, no bundled deps. */
export function packageBuild(entry: Record<string, string>, extra: Options = {}): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    treeshake: true,
    splitting: true,
    target: 'es2022',
    platform: 'neutral',
    esbuildOptions(options) {
      options.conditions = ['@aiu/source'];
    },
    ...extra,
  };
}
