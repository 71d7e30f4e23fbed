// One lint for the whole repository: typescript-eslint's type-checked recommended rules on
// the packages' sources, the Rules of Hooks and exhaustive deps on React code.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'storybook-static/**', 'stories/public/**', 'examples/next-app/.next/**', 'examples/next-app/next-env.d.ts', '**/.bench-bundle-*/**', 'examples/*/dist/**', 'bench/results.json', '**/*.generated.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
      // `typeof import('pg')` types a module loaded on demand (an optional peer): that stays allowed.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
    },
  },
  {
    // Type-aware rules on what we publish: promises nobody awaits or handles, and assertions that no longer assert anything.
    files: ['packages/*/src/**/*.{ts,tsx}'],
    ignores: ['**/__tests__/**'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', fetch: 'readonly', Request: 'readonly', Response: 'readonly', AbortController: 'readonly', globalThis: 'readonly', window: 'readonly', document: 'readonly', self: 'readonly', navigator: 'readonly' } },
  },
);
