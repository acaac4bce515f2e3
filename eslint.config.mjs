// Lint gates that catch real bugs (after Immich's eslint.config.mjs): promises that are
// neither awaited nor voided, non-exhaustive switches, relative imports across libraries,
// import cycles among the libraries.
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**', '*.mjs'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/await-thenable': 'error',
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/libs/*/src/**', '../*/src/**', '../../*/src/**', '../../../*/src/**'], message: 'Import another library through its alias (@app/<lib>).' }] }],
    },
  },
  {
    // The libraries form a graph without cycles (libs/core/src/architecture.spec.ts checks the
    // same between libraries under npm test); the resolver reads the @app/* paths of tsconfig.json.
    files: ['libs/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': importX.flatConfigs.typescript.settings['import-x/extensions'],
      'import-x/parsers': importX.flatConfigs.typescript.settings['import-x/parsers'],
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: `${import.meta.dirname}/tsconfig.json` })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // the Jest global set-up runs outside the module mapper and must import by path
    files: ['test/setup/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
