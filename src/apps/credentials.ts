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

/** Plain-text secrets of every vendor surface, generated together and shown once. */
export interface VendorSecrets {
  easemob?: { clientId: string; clientSecret: string };
  gobelieve?: { appSecret: string };
  imbee?: { authToken: string; corporateKey: string };
  mcg?: { clientId: string; clientSecret: string };
}

export type Vendor = keyof VendorSecrets;
export const VENDORS: Vendor[] = ['easemob', 'gobelieve', 'imbee', 'mcg'];

export function generateSecrets(vendors: Vendor[], keepClientIds: { easemob?: string; mcg?: string } = {}): VendorSecrets {
  const s: VendorSecrets = {};
  if (vendors.includes('easemob')) {
    s.easemob = { clientId: keepClientIds.easemob ?? `YXA6${randomSecret(16)}`, clientSecret: `YXA6${randomSecret(24)}` };
  }
  if (vendors.includes('gobelieve')) s.gobelieve = { appSecret: randomSecret(24) };
  if (vendors.includes('imbee')) s.imbee = { authToken: randomSecret(32), corporateKey: randomSecret(24) };
  if (vendors.includes('mcg')) {
    s.mcg = { clientId: keepClientIds.mcg ?? `mcg-${randomSecret(12)}`, clientSecret: randomSecret(32) };
  }
  return s;
}

/**
 * The stored form of each secret. GoBelieve clients send md5(appsecret) in their Basic header, so
 * that digest is the credential; we keep SHA-256 of it, never the md5 itself.
 */
export function digestSecrets(s: VendorSecrets): Record<string, string> {
  const set: Record<string, string> = {};
  if (s.easemob) {
    set['easemob.clientId'] = s.easemob.clientId;
    set['easemob.clientSecretHash'] = sha256(s.easemob.clientSecret);
  }
  if (s.gobelieve) set['gobelieve.appSecretMd5Hash'] = sha256(md5(s.gobelieve.appSecret));
  if (s.imbee) {
    set['imbee.authTokenHash'] = sha256(s.imbee.authToken);
    set['imbee.corporateKeyHash'] = sha256(s.imbee.corporateKey);
  }
  if (s.mcg) {
    set['mcg.clientId'] = s.mcg.clientId;
    set['mcg.clientSecretHash'] = sha256(s.mcg.clientSecret);
  }
  return set;
}
