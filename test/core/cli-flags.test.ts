import { parseFlags, UsageError } from '../../src/cli/commands';

// The operator CLI's flags, read by node:util's parseArgs: values, repeats, the one switch, and a
// usage error (never a silent guess) for anything else.
describe('CLI flags', () => {
  it('reads values in both forms, repeats and the switch', () => {
    const flags = parseFlags(['--name', 'acme', '--vendor=easemob', '--vendor', 'mcg', '--open-registration']);
    expect(Object.fromEntries(flags)).toEqual({ name: ['acme'], vendor: ['easemob', 'mcg'], 'open-registration': ['true'] });
  });

  it('refuses unknown flags, missing values and stray words', () => {
    for (const args of [['--nmae', 'x'], ['--app'], ['create'], ['--open-registration=yes']])
      expect(() => parseFlags(args)).toThrow(UsageError);
  });
});
