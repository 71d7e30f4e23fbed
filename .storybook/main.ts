import type { StorybookConfig } from '@storybook/react-vite';

const config: StorybookConfig = {
  stories: ['../stories/*.stories.tsx'],
  framework: { name: '@storybook/react-vite', options: {} },
  addons: ['@storybook/addon-docs'],
  // The MSW service worker, so every story's data works offline.
  staticDirs: ['../stories/public'],
  core: { disableTelemetry: true },
  async viteFinal(config) {
    // Stories import the public packages; in the workspace they resolve to src, no build needed.
    config.resolve = { ...config.resolve, conditions: ['@aiu/source', 'browser', 'module', 'import', 'default'] };
    return config;
  },
};

export default config;
