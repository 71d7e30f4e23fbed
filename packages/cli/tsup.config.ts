import { defineConfig } from 'tsup';

// A command, not a library: one ESM file with its shebang; dependencies stay in node_modules.
export default defineConfig({
  entry: { bin: 'src/bin.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  splitting: false,
  dts: false,
});
