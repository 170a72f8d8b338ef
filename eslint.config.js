import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';
import prettier from 'eslint-config-prettier';
import { builtinModules } from 'node:module';

/** Node's built-in modules: `node:*`, and the bare names as exact paths (a pattern "domain" would match ./domain.ts). */
const NODE_BUILTINS = ['node:*'];
const NODE_BUILTIN_NAMES = builtinModules.filter((m) => !m.startsWith('_'));
/** What only the application layer itself (and its tests) may reach. */
const APP_INTERNALS = ['**/app/workspace*', '**/app/internals*', '**/app/app-context*', '**/app/db/**', '**/app/jobs/**', '**/app/handlers/**'];
const restrict = (patterns) => ({
  'no-restricted-imports': [
    'error',
    { patterns, ...(patterns.includes('node:*') ? { paths: NODE_BUILTIN_NAMES } : {}) },
  ],
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'tmp/**', 'coverage/**', 'src/engine/tf-kernels/assembly/**'] },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
    },
  },
  // Layer rules from docs/architecture. Each folder gets one complete rule (flat config: a later
  // `no-restricted-imports` for the same files replaces an earlier one, it does not add to it).
  {
    files: ['src/engine/**/*.ts'],
    rules: restrict(['**/app/**', '**/main/**', '**/server/**', '**/renderer/**', '**/cli/**', '**/preload/**', 'electron', 'better-sqlite3']),
  },
  // The contract is browser-safe: no Node, no other layer.
  {
    files: ['src/shared/**/*.ts'],
    rules: restrict(['**/app/**', '**/engine/**', '**/main/**', '**/server/**', '**/renderer/**', '**/cli/**', '**/preload/**', 'electron', ...NODE_BUILTINS]),
  },
  // The application layer never imports Electron or its adapters.
  {
    files: ['src/app/**/*.ts'],
    rules: restrict(['**/main/**', '**/renderer/**', '**/preload/**', '**/server/**', '**/cli/**', 'electron']),
  },
  // Adapters use the application through the contract only (AppService.call/on): never its
  // workspace, database, job queue or handlers.
  {
    files: ['src/server/**/*.ts', 'src/cli/**/*.ts'],
    rules: restrict(['**/main/**', '**/renderer/**', '**/preload/**', 'electron', ...APP_INTERNALS]),
  },
  // The renderer is browser code: the contract (src/shared) and browser libraries only.
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.vue'],
    rules: restrict(['**/app/**', '**/engine/**', '**/main/**', '**/server/**', '**/cli/**', '**/preload/**', 'electron', ...NODE_BUILTINS]),
  },
  // The preload bridges Electron and the contract: nothing else.
  {
    files: ['src/preload/**/*.ts'],
    rules: restrict(['**/app/**', '**/engine/**', '**/main/**', '**/server/**', '**/renderer/**', '**/cli/**', ...NODE_BUILTINS]),
  },
  prettier,
);
