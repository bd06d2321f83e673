import { DomainError } from '../../domain/errors';
export { bearerSecret } from '../../tokens/bearer';

/**
 * Credential parsers shared by the dialects (each decides what the credentials mean): Bearer (the
 * shared parser of every surface) and HTTP Basic.
 */

const malformed = (what: string) =>
  new DomainError('UNAUTHENTICATED', `authorization must be ${what}`, { reason: 'malformed_authorization' });

/**
 * `Authorization: Basic base64(id:secret)` (RFC 7617): undefined when absent. With `formEncoded`,
 * both parts are also URL-decoded, as OAuth 2.0 client authentication requires (RFC 6749 section
 * 2.3.1). The id may not contain a colon; the secret may.
 */
export function basicCredentials(header: unknown, opts: { formEncoded?: boolean } = {}): { id: string; secret: string } | undefined {
  if (header === undefined || header === null || header === '') return undefined;
  const m = typeof header === 'string' ? /^Basic\s+([A-Za-z0-9+/]{1,2048}={0,2})\s*$/i.exec(header) : null;
  if (!m) throw malformed('"Basic <base64(id:secret)>"');
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw malformed('"Basic <base64(id:secret)>" with a colon between id and secret');
  const [id, secret] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  if (!opts.formEncoded) return { id, secret };
  try {
    const form = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { id: form(id), secret: form(secret) };
  } catch {
    throw malformed('URL-encoded client credentials');
  }
}
