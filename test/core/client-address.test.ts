import { clientAddressKey } from '../../src/vendors/kit/client-address';

describe('client address keys of the anonymous budget', () => {
  it('keeps IPv4 addresses, and reads IPv4-mapped IPv6 as IPv4', () => {
    expect(clientAddressKey('203.0.113.7')).toBe('addr:203.0.113.7');
    expect(clientAddressKey('::ffff:203.0.113.7')).toBe('addr:203.0.113.7');
  });

  it('groups IPv6 addresses by their /64, so rotating addresses in one network buys nothing', () => {
    const a = clientAddressKey('2001:db8:abcd:12::1');
    expect(a).toBe('addr:2001:db8:abcd:12::/64');
    expect(clientAddressKey('2001:db8:abcd:12:ffff:1:2:3')).toBe(a);
    expect(clientAddressKey('2001:db8:abcd:13::1')).not.toBe(a);
  });

  it('keeps anything unparseable apart, as it is', () => {
    expect(clientAddressKey('not-an-ip')).toBe('addr:not-an-ip');
  });
});
