import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'test/fixtures/**', 'bench/.tools/**', 'bench/.baseline/**', 'templates/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "TSTypeReference[typeName.name='any']", message: 'Avoid any; use unknown and narrow.' },
      ],
    },
  },
  {
    files: ['runtime/src/**/*.ts'],
    ignores: ['runtime/src/testing/**', 'runtime/src/**/cli.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use the injected Clock (runtime/src/util/clock.ts).' },
        { object: 'process', property: 'env', message: 'Read the environment at the entry point and pass options down.' },
      ],
    },
  },
);
