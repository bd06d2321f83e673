import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// The dependency rules of docs/ARCHITECTURE.md are lint rules; these cases prove each one bites.
const ROOT = path.resolve(__dirname, '../..');

/** Lints `code` as if it were `file`, with the project's own ESLint run as a process (its config is ESM). */
async function lintAs(file: string, code: string): Promise<string[]> {
  const bin = path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');
  const run = spawnSync(process.execPath, [bin, '--stdin', '--stdin-filename', file, '--format', 'json'], {
    cwd: ROOT,
    input: code,
    encoding: 'utf8',
  });
  const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string | null; message: string }[] }[];
  return result!.messages.filter((m) => m.ruleId === 'import-x/no-restricted-paths').map((m) => m.message);
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
