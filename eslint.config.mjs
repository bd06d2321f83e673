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
  'inbox',
  'outbox',
  'presence',
  'robots',
  'tokens',
  'users',
  'entities',
  'rooms',
  'credentials',
  'db',
  'events',
  'config',
];
const VENDORS = fs.readdirSync('src/vendors').filter((d) => d !== 'kit' && fs.statSync(`src/vendors/${d}`).isDirectory());
const SURFACES = ['graphql', 'http', 'vendors'];
// Where a request from outside is handled: they get the checked port (src/ports/surface.ts) only.
const PORT_ONLY = ['./src/graphql', './src/vendors', './web'];

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
  // An area's store is its own: another area goes through its service.
  ...AREAS.flatMap((area) =>
    AREAS.filter((other) => other !== area).map((other) => ({
      target: `./src/${area}`,
      from: `./src/${other}/store.ts`,
      message: `an area never imports another area's store: call src/${other}'s service instead.`,
    })),
  ),
  // The ports sit below the surfaces and above the areas.
  ...[...SURFACES, 'app', 'cli'].map((s) => ({
    target: './src/ports',
    from: `./src/${s}`,
    message: `src/ports is below the surfaces: it never imports src/${s}.`,
  })),
  // Surfaces reach the domain through the checked port only: the composition root's Services is the system port.
  ...PORT_ONLY.map((target) => ({
    target,
    from: './src/app',
    message:
      'surfaces never import src/app: the system port (Services) is for the composition root, workers and the CLI; use the checked port (src/ports/surface.ts).',
  })),
  { target: './src/graphql', from: './src/vendors', message: 'GraphQL never imports a vendor adapter.' },
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

const principalRules = [
  {
    selector: "AssignmentExpression > MemberExpression.left[property.name='principal']",
    message: 'never assign a principal: the credential check makes it (src/credentials) and the context carries it from creation.',
  },
];
const principalLiteral = {
  selector: "Property[key.name='kind'][value.type='Literal'][value.value=/^(app|user|customer|operator|gateway)$/]",
  message: 'surfaces never build a principal: ask the credential check (services.credentials) for one.',
};
const asPrincipalOnly = {
  group: ['**/domain/context'],
  importNames: ['asPrincipal'],
  message: 'only the credential check acts as a principal (src/vendors/kit/admission.ts, src/graphql/auth.ts, src/app/surface.ts).',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'src/generated/', 'test/generated/', 'coverage/', '.cache/'] },
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
    rules: {
      'import-x/no-restricted-paths': ['error', { zones }],
      // A principal is made from credentials in one place and never assigned.
      'no-restricted-syntax': ['error', ...principalRules],
      'no-restricted-imports': ['error', { paths: [], patterns: [asPrincipalOnly] }],
    },
  },
  {
    // The credential check (kit admission, GraphQL's authentication, the port's next context) may act as what it proved.
    files: ['src/vendors/kit/admission.ts', 'src/graphql/auth.ts', 'src/app/surface.ts', 'src/domain/context.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Surfaces and web pages never write a principal themselves: they get one from the credential check.
    files: ['src/vendors/**/*.ts', 'src/graphql/**/*.ts', 'web/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', ...principalRules, principalLiteral] },
  },
  {
    files: ['web/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'] })] },
    rules: { 'import-x/no-restricted-paths': ['error', { zones: zones.filter((z) => z.target === './web') }] },
  },
);
