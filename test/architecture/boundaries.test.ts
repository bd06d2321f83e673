import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// The dependency rules of docs/ARCHITECTURE.md are lint rules; these cases prove each one bites.
const ROOT = path.resolve(__dirname, '../..');

/** Lints `code` as if it were `file`, with the project's own ESLint run as a process (its config is ESM). */
async function lintAs(file: string, code: string, rules = ['import-x/no-restricted-paths']): Promise<string[]> {
  const bin = path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');
  const run = spawnSync(process.execPath, [bin, '--stdin', '--stdin-filename', file, '--format', 'json'], {
    cwd: ROOT,
    input: code,
    encoding: 'utf8',
  });
  const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string | null; message: string }[] }[];
  return result!.messages.filter((m) => rules.includes(m.ruleId ?? '')).map((m) => m.message);
}

describe('dependency rules', () => {
  jest.setTimeout(60_000);

  it('an area importing a surface is refused', async () => {
    const messages = await lintAs(
      'src/users/probe.ts',
      "import { toGraphQLError } from '../graphql/errors';\nexport const x = toGraphQLError;\n",
    );
    expect(messages).toEqual([expect.stringMatching(/areas never import src\/graphql/)]);
  });

  it('a vendor importing a model, another vendor or GraphQL is refused', async () => {
    const model = await lintAs(
      'src/vendors/easemob/probe.ts',
      "import type { UserDoc } from '../../users/model';\nexport type X = UserDoc;\n",
    );
    expect(model).toEqual([expect.stringMatching(/surfaces never import a model/)]);
    // A second vendor, for as long as the check runs (the rule resolves imports to real files).
    const probe = path.join(ROOT, 'src', 'vendors', 'zz-probe');
    fs.mkdirSync(probe, { recursive: true });
    fs.writeFileSync(path.join(probe, 'index.ts'), 'export const x = 1;\n');
    try {
      const other = await lintAs('src/vendors/easemob/probe.ts', "import { x } from '../zz-probe/index';\nexport const y = x;\n");
      expect(other).toEqual([expect.stringMatching(/imports only itself and the vendor kit/)]);
    } finally {
      fs.rmSync(probe, { recursive: true, force: true });
    }
    const gql = await lintAs(
      'src/vendors/easemob/probe.ts',
      "import { buildSchema } from '../../graphql/schema';\nexport const y = buildSchema;\n",
    );
    expect(gql).toEqual([expect.stringMatching(/never import GraphQL/)]);
  });

  it('the domain core importing an area is refused', async () => {
    const messages = await lintAs(
      'src/domain/probe.ts',
      "import type { UserRecord } from '../users/records';\nexport type X = UserRecord;\n",
    );
    expect(messages).toEqual([expect.stringMatching(/imports nothing of the project/)]);
  });

  it('what the architecture allows passes', async () => {
    expect(
      await lintAs('src/vendors/easemob/probe.ts', "import { VendorError } from '../kit/errors';\nexport const y = VendorError;\n"),
    ).toEqual([]);
    expect(
      await lintAs('src/graphql/probe.ts', "import type { UserRecord } from '../users/records';\nexport type X = UserRecord;\n"),
    ).toEqual([]);
  });
});

// Issue 27: one checked way into the domain. Each rule is shown to bite on a deliberate violation.
describe('two service tiers and principals made in one place', () => {
  jest.setTimeout(60_000);
  const ALL = ['import-x/no-restricted-paths', 'no-restricted-syntax', 'no-restricted-imports'];

  it('refuses the system port (the composition root) in vendors, GraphQL and web pages', async () => {
    const code = "import type { Services } from '../../app/services';\nexport type X = Services;\n";
    expect(await lintAs('src/vendors/easemob/probe.ts', code)).toEqual([
      expect.stringMatching(/surfaces never import src\/app: the system port/),
    ]);
    expect(await lintAs('src/graphql/resolvers/probe.ts', code)).toEqual([expect.stringMatching(/surfaces never import src\/app/)]);
    expect(
      await lintAs('web/imbee-chat/probe.ts', "import type { Services } from '../../src/app/services';\nexport type X = Services;\n"),
    ).toEqual([expect.stringMatching(/surfaces never import src\/app/)]);
    // the checked port is what they use
    expect(
      await lintAs(
        'src/vendors/easemob/probe.ts',
        "import type { SurfacePort } from '../../ports/surface';\nexport type X = SurfacePort;\n",
      ),
    ).toEqual([]);
  });

  it('refuses GraphQL importing a vendor, an area importing another area’s store, and rooms importing a surface', async () => {
    expect(await lintAs('src/graphql/probe.ts', "import { easemob } from '../vendors/easemob';\nexport const x = easemob;\n")).toEqual([
      expect.stringMatching(/GraphQL never imports a vendor/),
    ]);
    expect(
      await lintAs('src/groups/probe.ts', "import { createUserStore } from '../users/store';\nexport const x = createUserStore;\n"),
    ).toEqual([expect.stringMatching(/never imports another area's store/)]);
    expect(
      await lintAs('src/rooms/probe.ts', "import { toGraphQLError } from '../graphql/errors';\nexport const x = toGraphQLError;\n"),
    ).toEqual([expect.stringMatching(/areas never import src\/graphql/)]);
  });

  it('refuses assigning a principal anywhere, building one in a surface, and acting as one outside the credential check', async () => {
    const assign =
      "import type { RequestContext } from '../../domain/context';\nexport const f = (ctx: RequestContext) => { (ctx as any).principal = null; };\n";
    expect(await lintAs('src/users/probe.ts', assign.replace('../../', '../'), ALL)).toEqual([
      expect.stringMatching(/never assign a principal/),
    ]);
    const literal = "export const p = { kind: 'app', appId: 'x', tokenId: 't', expiresAt: null };\n";
    expect(await lintAs('src/vendors/gobelieve/probe.ts', literal, ALL)).toEqual([
      expect.stringMatching(/surfaces never build a principal/),
    ]);
    expect(await lintAs('src/graphql/probe.ts', literal, ALL)).toEqual([expect.stringMatching(/surfaces never build a principal/)]);
    const act = "import { asPrincipal } from '../../domain/context';\nexport const f = asPrincipal;\n";
    expect(await lintAs('src/vendors/gobelieve/probe.ts', act, ALL)).toEqual([
      expect.stringMatching(/only the credential check acts as a principal/),
    ]);
    expect(await lintAs('src/vendors/kit/admission.ts', act, ['no-restricted-imports'])).toEqual([]);
  });
});
