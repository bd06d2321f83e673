import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * The SSRF guard: outbound posts may reach only public unicast addresses. Loopback, private,
 * link-local (cloud metadata at 169.254.169.254), carrier-grade NAT (another metadata range),
 * unique-local, multicast, reserved and IPv4-embedding IPv6 forms are refused unless
 * `OUTBOX_ALLOW_PRIVATE=true`. It runs at connect time, on the address actually dialled, so a DNS
 * answer that changes after the URL was saved gains nothing.
 */
export class BlockedAddressError extends Error {
  constructor(readonly address: string) {
    super(`destination address ${address} is not public; refused (set OUTBOX_ALLOW_PRIVATE=true to allow private destinations)`);
    this.name = 'BlockedAddressError';
  }
}

export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

/** A `lookup` for http.request: resolves as usual, then refuses any answer that is not public. */
export function guardedLookup(allowPrivate: boolean): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as dns.LookupAddress[];
      const blocked = allowPrivate ? undefined : list.find((a) => !isPublicAddress(a.address));
      if (blocked) return callback(new BlockedAddressError(blocked.address), '', 4);
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/** Hosts given as IP literals never reach `lookup`: check them before dialling. */
export function checkLiteralHost(hostname: string, allowPrivate: boolean): void {
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (!allowPrivate && net.isIP(host) && !isPublicAddress(host)) throw new BlockedAddressError(host);
}
