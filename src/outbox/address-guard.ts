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
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') return parsed.range() === 'unicast';
  const v6 = parsed as ipaddr.IPv6;
  // A form that carries an IPv4 address reaches that address (through the host's stack, a NAT64
  // gateway or a tunnel relay): it is as public as the address it carries, never more.
  const carried = embeddedIPv4(v6);
  if (carried) return carried.range() === 'unicast';
  return v6.range() === 'unicast';
}

/**
 * The IPv4 address an IPv6 address embeds: IPv4-compatible (::a.b.c.d, deprecated but routed by
 * some stacks), IPv4-mapped and -translated, NAT64 (64:ff9b::/96 and the local-use 64:ff9b:1::/48),
 * 6to4 (2002::/16) and Teredo (2001::/32, the client's address inverted).
 */
export function embeddedIPv4(v6: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const b = v6.toByteArray();
  const at = (i: number, invert = false) => new ipaddr.IPv4(b.slice(i, i + 4).map((x) => (invert ? x ^ 0xff : x)));
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zeros(0, 10) && ((b[10] === 0 && b[11] === 0) || (b[10] === 0xff && b[11] === 0xff))) return at(12); // compatible, mapped
  if (zeros(0, 8) && b[8] === 0xff && b[9] === 0xff && zeros(10, 12)) return at(12); // translated (RFC 6145)
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b) return at(12); // NAT64, well-known and local-use
  if (b[0] === 0x20 && b[1] === 0x02) return at(2); // 6to4
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0 && b[3] === 0) return at(12, true); // Teredo client
  return undefined;
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
