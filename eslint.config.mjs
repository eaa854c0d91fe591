import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // Prettier wraps code at 100 but leaves strings, comments and test titles long.
      'max-len': [
        'error',
        { code: 100, tabWidth: 2, ignoreUrls: true, ignoreRegExpLiterals: true },
      ],
    },
  },
);
