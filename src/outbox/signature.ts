import crypto from 'node:crypto';

/** The header every outbound POST carries: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const SIGNATURE_HEADER = 'x-imfacade-signature';

export function signatureHeader(secret: string, body: string, at = Date.now()): string {
  const t = Math.floor(at / 1000);
  const v1 = crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

/** A new endpoint secret: 32 random bytes, recognisable in logs and config. */
export const newEndpointSecret = () => `whsec_${crypto.randomBytes(32).toString('base64url')}`;
