import fs from 'node:fs';
import path from 'node:path';

// Rules of docs/ARCHITECTURE.md that are about the shape of files, checked on the tree itself.
const SRC = path.resolve(__dirname, '../../src');
const files = (dir: string): string[] =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
const sources = files(SRC).filter((f) => !f.includes(`${path.sep}generated${path.sep}`));
const rel = (f: string) => path.relative(SRC, f);

describe('source layout', () => {
  it('keeps every file readable in one sitting (at most 250 lines)', () => {
    const long = sources.filter((f) => fs.readFileSync(f, 'utf8').split('\n').length > 250).map(rel);
    expect(long).toEqual([]);
  });

  it('has no try/catch in vendor routes: errors are mapped by the dialect table and route overrides', () => {
    const routes = sources.filter((f) => /vendors\/[^/]+\/routes\//.test(f));
    expect(routes.length).toBeGreaterThan(0);
    expect(routes.filter((f) => /\btry\s*\{/.test(fs.readFileSync(f, 'utf8'))).map(rel)).toEqual([]);
  });

  it('gives each vendor adapter a contract, a dialect and an entry point', () => {
    const vendors = fs
      .readdirSync(path.join(SRC, 'vendors'), { withFileTypes: true })
      .flatMap((d) => (d.isDirectory() && d.name !== 'kit' ? [d.name] : []));
    for (const v of vendors)
      for (const f of ['contract.ts', 'dialect.ts', 'index.ts']) expect(fs.existsSync(path.join(SRC, 'vendors', v, f))).toBe(true);
  });
});
