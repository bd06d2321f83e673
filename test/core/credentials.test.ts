import { DomainError } from '../../src/domain/errors';
import { basicCredentials, bearerSecret } from '../../src/vendors/kit/credentials';

const basic = (raw: string) => `Basic ${Buffer.from(raw).toString('base64')}`;
const reasonOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof DomainError ? `${e.code}:${e.details.reason}` : 'other';
  }
  return 'none';
};

describe('vendor kit credentials', () => {
  it('reads Basic credentials; the secret may hold colons', () => {
    expect(basicCredentials(basic('1001:abc:def'))).toEqual({ id: '1001', secret: 'abc:def' });
    expect(basicCredentials(undefined)).toBeUndefined();
    expect(basicCredentials('')).toBeUndefined();
  });

  it('URL-decodes client credentials for OAuth (RFC 6749 2.3.1)', () => {
    expect(basicCredentials(basic('my%20client:p%2Bss+word'), { formEncoded: true })).toEqual({ id: 'my client', secret: 'p+ss word' });
    expect(reasonOf(() => basicCredentials(basic('a:%E0%A4%A'), { formEncoded: true }))).toBe('UNAUTHENTICATED:malformed_authorization');
  });

  it('refuses malformed headers as UNAUTHENTICATED, never a crash', () => {
    for (const h of ['Basic', 'Basic !!!', basic('no-colon'), 'Bearer abc', 42, `Basic ${'A'.repeat(5000)}`]) {
      expect(reasonOf(() => basicCredentials(h))).toBe('UNAUTHENTICATED:malformed_authorization');
    }
  });

  it('reads Bearer secrets with the parser GraphQL uses', () => {
    expect(bearerSecret('Bearer abc.def')).toBe('abc.def');
    expect(bearerSecret(undefined)).toBeUndefined();
    expect(reasonOf(() => bearerSecret('Basic abc'))).toBe('UNAUTHENTICATED:malformed_authorization');
    expect(reasonOf(() => bearerSecret(`Bearer ${'x'.repeat(5000)}`))).toBe('UNAUTHENTICATED:malformed_authorization');
  });
});
