import { hash, verify } from '@node-rs/argon2';

// OWASP minimum for Argon2id: 19 MiB memory, 2 iterations, 1 lane.
// `algorithm: 2` is Algorithm.Argon2id (a const enum, which isolatedModules cannot read).
const OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const hashPassword = (password: string) => hash(password, OPTIONS);

// Verified against when the user does not exist, so timing does not reveal which usernames exist.
let decoy: Promise<string> | undefined;

/** Stored for users made implicitly by another system's ids (integer uids): no password opens them. */
export const NO_PASSWORD = '!none';

// Counts every Argon2 verification, so a test can pin that each failed-login path does exactly one
// (timing would be the direct proof, but it is too noisy on shared machines to assert on).
let verifications = 0;
export const passwordVerifications = () => verifications;

export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  verifications++;
  if (!storedHash || storedHash === NO_PASSWORD) {
    decoy ??= hashPassword('decoy-password-for-constant-time');
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(storedHash, password).catch(() => false);
}
