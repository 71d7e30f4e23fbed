import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

export default defineConfig(
  packageBuild(
    { index: 'src/index.ts' },
    {
      platform: 'browser',
      external: ['react', 'react/jsx-runtime', '@tanstack/react-query'],
      // Every module of this entry runs in the browser: mark it for React Server Components bundlers.
      banner: { js: "'use client';" },
      // Rollup's tree-shaking pass drops module directives; esbuild's output keeps the banner.
      treeshake: false,
      splitting: false,
    },
  ),
);
