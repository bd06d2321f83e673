import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/process';

/** The settings outbox tests run with: loopback receivers allowed, short delays. */
export const OUTBOX_TEST_ENV = {
  OUTBOX_ALLOW_PRIVATE: 'true',
  OUTBOX_BACKOFF_BASE_MS: '100',
  OUTBOX_TIMEOUT_MS: '600',
  OUTBOX_MAX_ATTEMPTS: '5',
  OUTBOX_POLL_MS: '100',
  SECRETS_KEY: 'test-secrets-key-0123456789abcdef',
};

/**
 * The receiver-side check exactly as docs/OUTBOX.md prints it: the test runs the documented code,
 * so the docs cannot drift from what the server signs.
 */
export function documentedVerify(): (secret: string, rawBody: string, header: string) => boolean {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/OUTBOX.md'), 'utf8');
  const code = /<!-- verify:begin -->\s*```js\n([\s\S]*?)```\s*<!-- verify:end -->/.exec(doc)?.[1];
  if (!code) throw new Error('docs/OUTBOX.md has no verification snippet');
  return new Function('require', `${code}\nreturn verify;`)(require) as never;
}

/** Polls until `check` returns a value (not undefined), or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
