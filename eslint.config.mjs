// ESLint 10 flat config: ESLint's recommended rules and typescript-eslint's type-aware recommended
// rules, on the TypeScript and on the seat map's JavaScript modules (each checked against its own
// tsconfig, found by the project service). Formatting is prettier's job (`prettier --check .`).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    'node_modules/',
    'dist/',
    '.test-build/',
    'bench/.compiled/',
    'bench/profiles/',
    'coverage/',
  ]),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits or handles loses its failure: the two rules this project cares
      // most about are on in recommendedTypeChecked already; stated here so they stay on.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Async methods here implement Promise-returning interfaces (stores, quotas) with nothing to
      // await in one backend; `async` still turns a throw into a rejection, which callers rely on.
      '@typescript-eslint/require-await': 'off',
      // `_name` marks an argument or binding kept for its position or shape.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // chai's property assertions (`expect(x).to.exist`, `.to.be.true`) are expressions.
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
  {
    // tsc checks the page's modules against the DOM's types; ESLint's own undefined-name check
    // does not know the browser's globals, and tsc's check is the stronger one.
    files: ['public/**/*.js'],
    rules: { 'no-undef': 'off' },
  },
  {
    // This file is in no tsconfig: lint it without types.
    files: ['eslint.config.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // Plain CommonJS scripts that Node runs before anything is compiled (npm run build, npm start):
    // in no tsconfig, so linted without types, with Node's CommonJS globals.
    files: ['scripts/**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      sourceType: 'commonjs',
      globals: Object.fromEntries(
        ['require', 'module', 'exports', 'process', 'console', '__dirname', '__filename'].map(
          (name) => [name, 'readonly'],
        ),
      ),
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
