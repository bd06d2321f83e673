import fs from 'node:fs';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

// Domain areas: they own a collection (or are shared infrastructure) and know no surface.
const AREAS = [
  'apps',
  'contacts',
  'conversations',
  'counters',
  'groups',
  'stores',
  'provider-services',
  'web-access',
  'messages',
  'outbox',
  'presence',
  'robots',
  'tokens',
  'users',
  'entities',
  'db',
  'events',
  'config',
];
const VENDORS = fs.readdirSync('src/vendors').filter((d) => d !== 'kit' && fs.statSync(`src/vendors/${d}`).isDirectory());
const SURFACES = ['graphql', 'http', 'vendors'];

/** The architecture's dependency rules (docs/ARCHITECTURE.md), checked on every lint. */
const zones = [
  // The domain core imports nothing of the project but itself.
  { target: './src/domain', from: './src', except: ['./domain'], message: 'src/domain is the core: it imports nothing of the project.' },
  // Areas never import a surface or the composition root.
  ...AREAS.flatMap((area) =>
    [...SURFACES, 'app', 'cli'].map((s) => ({
      target: `./src/${area}`,
      from: `./src/${s}`,
      message: `areas never import src/${s}: surfaces call areas, not the other way round.`,
    })),
  ),
  // A vendor never imports another vendor; the kit imports none.
  ...VENDORS.map((v) => ({
    target: `./src/vendors/${v}`,
    from: './src/vendors',
    except: [`./${v}`, './kit'],
    message: 'a vendor adapter imports only itself and the vendor kit.',
  })),
  { target: './src/vendors/kit', from: './src/vendors', except: ['./kit'], message: 'the vendor kit imports no vendor.' },
  { target: './src/vendors', from: './src/graphql', message: 'vendor adapters never import GraphQL.' },
  // Surfaces never import a model: they call services, which own the collections.
  ...SURFACES.map((s) => ({
    target: `./src/${s}`,
    from: './src/**/model.ts',
    message: 'surfaces never import a model: call the area service (or its records) instead.',
  })),
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'src/generated/', 'test/generated/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        fetch: 'readonly',
        Headers: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'] })] },
    rules: { 'import-x/no-restricted-paths': ['error', { zones }] },
  },
);
