import fs from 'node:fs';
import path from 'node:path';

// Issue 30: a vendor's identity lives in its own folder. The core (every area, GraphQL, the ports,
// the composition root, the core schema) names no vendor and imports no adapter; only the
// composition roots import the adapter list (src/vendors/index.ts).
const ROOT = path.resolve(__dirname, '../..');
const SRC = path.join(ROOT, 'src');

const walk = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
const rel = (f: string) => path.relative(ROOT, f).split(path.sep).join('/');

const vendors = fs
  .readdirSync(path.join(SRC, 'vendors'), { withFileTypes: true })
  .flatMap((e) => (e.isDirectory() && e.name !== 'kit' ? [e.name] : []));
// Names the vendors go by besides their folder's.
const NAMES = new RegExp(`(${[...vendors, 'agora', 'go-believe'].join('|')})`, 'i');
// src/generated is codegen's output for the whole schema, the adapters' extensions included.
const core = walk(SRC).filter((f) => !rel(f).startsWith('src/vendors/') && !rel(f).startsWith('src/generated/'));
const COMPOSITION_ROOTS = /^src\/(app\/[^/]+|cli\/main)\.ts$/;

describe('the vendor seam', () => {
  it('knows the adapters (the check below is not vacuous)', () => {
    expect(vendors).toEqual(expect.arrayContaining(['easemob', 'gobelieve', 'imbee', 'mcg', 'wildfire']));
    expect(core.length).toBeGreaterThan(100);
  });

  it('src/ outside src/vendors names no vendor, nor does the core schema', () => {
    const schema = fs.readdirSync(path.join(ROOT, 'schema'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.graphql'));
    const files = [...core, ...schema.map((f) => path.join(ROOT, 'schema', f))];
    const named = files.flatMap((f) =>
      fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (NAMES.test(line) ? [`${rel(f)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(named).toEqual([]);
  });

  it('only the composition roots import from src/vendors', () => {
    const importing = core.filter((f) => /from '(\.\.\/)+vendors(\/|')/.test(fs.readFileSync(f, 'utf8'))).map(rel);
    expect(importing.filter((f) => !COMPOSITION_ROOTS.test(f))).toEqual([]);
    expect(importing).toEqual(expect.arrayContaining(['src/app/services.ts', 'src/app/index.ts']));
  });
});

describe('the module graph', () => {
  jest.setTimeout(60_000);

  it('has no cycle, type imports included (madge)', async () => {
    const madge = require('madge') as (p: string, o: object) => Promise<{ circular(): string[][]; obj(): Record<string, string[]> }>;
    const graph = await madge(SRC, { fileExtensions: ['ts'], tsConfig: path.join(ROOT, 'tsconfig.json') });
    expect(Object.keys(graph.obj()).length).toBeGreaterThan(100);
    expect(graph.circular()).toEqual([]);
  });
});
