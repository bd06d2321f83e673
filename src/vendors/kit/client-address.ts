import ipaddr from 'ipaddr.js';

/**
 * The key of a client address for the anonymous budget: an IPv4 address as it is (IPv4-mapped
 * IPv6 included), an IPv6 address by its /64 network, since one host commonly owns a whole /64 and
 * could otherwise spend a fresh budget per address.
 */
export function clientAddressKey(ip: string): string {
  let key = known.get(ip);
  if (key === undefined) {
    // A bounded memo: the same few clients make most requests, and parsing is the costly part.
    if (known.size >= 10_000) known.clear();
    known.set(ip, (key = keyOf(ip)));
  }
  return key;
}

const known = new Map<string, string>();

function keyOf(ip: string): string {
  if (!ipaddr.isValid(ip)) return `addr:${ip}`;
  const addr = ipaddr.process(ip);
  if (addr.kind() === 'ipv4') return `addr:${addr.toString()}`;
  const parts = (addr as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `addr:${parts.join(':')}::/64`;
}
