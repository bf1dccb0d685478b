// Lint: ESLint's and typescript-eslint's recommended rules, without type information (fast
// enough to run on every `npm test`). Formatting is Prettier's job (`npm run format`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'models/', '.bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Normalising text means naming control characters in regular expressions.
      'no-control-regex': 'off',
    },
  },
  // Tests read arbitrary JSON answers back.
  { files: ['test/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
