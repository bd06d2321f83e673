import crypto from 'node:crypto';

/** 256-bit random secret, URL-safe. */
export const randomSecret = (bytes = 32) => crypto.randomBytes(bytes).toString('base64url');

export const sha256 = (value: string) => crypto.createHash('sha256').update(value).digest('hex');
export const md5 = (value: string) => crypto.createHash('md5').update(value).digest('hex');

/** Constant-time comparison of two hex digests (or any two strings). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

/** Compares a presented secret with its stored SHA-256 digest in constant time. */
export const matchesDigest = (presented: string, storedSha256: string) => safeEqual(sha256(presented), storedSha256);
