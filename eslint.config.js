import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  {
    files: ['src-renderer/**/*.{ts,vue}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // The renderer reaches main only through the contract (tests/contract/layering.test.ts checks the same).
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/src-main/core/**', '**/src-main/app/**', '**/src-main/cli/**', '**/src-main/electron/**', '**/src-main/bridge/**'], message: 'the renderer reaches main only through src-main/contract' },
            { group: ['node:*', 'electron'], message: 'the renderer runs in a sandboxed page: no Node or Electron APIs' },
          ],
        },
      ],
    },
  },
  {
    // The contract is the ground floor: zod and its own modules only.
    files: ['src-main/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../*', 'node:*', 'electron', 'electron/*'], message: 'the contract imports nothing but zod and its own modules' }] }],
    },
  },
  {
    // Core must stay headless: no Electron, no renderer code.
    files: ['src-main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['electron', 'electron/*'], message: 'core must not import Electron' }, { group: ['**/src-renderer/**'], message: 'core must not import the renderer' }] }],
    },
  },
);
