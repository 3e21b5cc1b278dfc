import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';
import staydesk from './eslint-rules/index.cjs';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'jest.config.js',
      'jest.faults.config.js',
      'apps/web/dist/**',
      'apps/web/src/gql/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { parserOptions: { ecmaVersion: 2023, sourceType: 'module' } },
    // The project's own rules (eslint-rules/), registered everywhere so that any file may name
    // them in a directive; switched on below, where they apply.
    plugins: { staydesk },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'typeorm',
              message:
                'Only *.repository.ts, *.entity.ts, migrations and the database layer may import typeorm.',
            },
          ],
        },
      ],
      // Library boundaries: a library is used through its index only (@staydesk/<lib>), never
      // by reaching into another library's files, so its index is its whole public surface.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@staydesk/*/*'],
              message: 'Import the library through its index: @staydesk/<lib>.',
            },
            {
              group: ['**/libs/*/src/**', '../../*/src/**', '../../../*/src/**'],
              message:
                "Do not reach into another library's files; import it as @staydesk/<lib> (and export what you need from its index).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/web/codegen.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', process: 'readonly' },
    },
  },
  {
    files: ['eslint-rules/**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['scripts/**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
        process: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: [
      '**/*.repository.ts',
      '**/*.entity.ts',
      'migrations/**',
      'libs/core/src/database/**',
      'scripts/data-source.ts',
      'libs/testing/src/medium.ts',
    ],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // A library's index is its public surface: named exports of what other code uses, so
    // nothing leaks out by accident (issue 21).
    files: ['libs/*/src/index.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportAllDeclaration',
          message: 'Export by name from a library index (export { A } from …), not export *.',
        },
      ],
    },
  },
  {
    // Table ownership (issue 21): a library writes only the tables it owns
    // (eslint-rules/table-owners.cjs). Production code only: specs, medium specs and the test
    // helpers (libs/testing) write fixtures wherever they need them.
    files: ['libs/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.medium-spec.ts', '**/*.e2e-spec.ts', 'libs/testing/**'],
    rules: {
      'staydesk/own-tables': 'error',
      'staydesk/own-tables-exceptions': 'error',
    },
  },
);
