// Lint config: typescript-eslint recommended rules plus the import direction from STYLE.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // Stages never read process.* nor import the CLI: cwd, env, now and streams are passed in.
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', 'src/bench/**', 'src/demo/**'],
    rules: {
      'no-restricted-globals': ['error', { name: 'process', message: 'stages get cwd/env/streams passed in (STYLE.md)' }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/cli/**'], message: 'stages never import cli/' }] }],
    },
  },
  { files: ['bin/**', 'test/**', 'src/bench/**', 'src/demo/**'], rules: { 'no-console': 'off' } },
);
