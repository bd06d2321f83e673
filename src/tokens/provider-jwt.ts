import crypto from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';

/** Signing keys of provider access tokens: the first signs, every one verifies (rotation by `kid`). */
export interface JwtKey {
  kid: string;
  secret: Uint8Array;
}

/** `kid:secret,kid:secret` from configuration, or one key derived from the server's secret material. */
export function jwtKeys(configured: string | undefined, keyMaterial: string): JwtKey[] {
  if (!configured) {
    return [{ kid: 'derived-1', secret: new Uint8Array(crypto.hkdfSync('sha256', keyMaterial, 'imfacade', 'provider-jwt/v1', 32)) }];
  }
  return configured.split(',').map((pair) => {
    const i = pair.indexOf(':');
    return { kid: pair.slice(0, i).trim(), secret: new TextEncoder().encode(pair.slice(i + 1).trim()) };
  });
}

export interface ProviderClaims {
  iss: string;
  sub: string;
  aud: string;
  jti: string;
  scope: string;
  client_id: string;
  iat: number;
  exp: number;
}

export function createProviderJwt(keys: JwtKey[], issuer: string) {
  const [current] = keys;
  if (!current) throw new Error('no JWT signing key');
  return {
    sign: (c: Omit<ProviderClaims, 'iss'>) =>
      new SignJWT({ scope: c.scope, client_id: c.client_id })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: current.kid })
        .setIssuer(issuer)
        .setSubject(c.sub)
        .setAudience(c.aud)
        .setJti(c.jti)
        .setIssuedAt(c.iat)
        .setNotBefore(c.iat)
        .setExpirationTime(c.exp)
        .sign(current.secret),

    /** True for an unexpired JWT signed by one of our keys; false for anything else. */
    async verifies(token: string): Promise<boolean> {
      try {
        const { kid } = decodeProtectedHeader(token);
        const key = keys.find((k) => k.kid === kid);
        if (!key) return false;
        await jwtVerify(token, key.secret, { issuer, algorithms: ['HS256'] });
        return true;
      } catch {
        return false;
      }
    },

    /** Looks like a JWT (three base64url parts): only these are checked against the keys. */
    isJwt: (token: string) => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token),
  };
}

export type ProviderJwt = ReturnType<typeof createProviderJwt>;
