import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { FetchError } from './http-fetcher';

/** Ranges that never belong to a public web site: private, loopback, link-local, CGNAT, multicast, reserved. */
const BLOCKED = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['2001:db8::', 32], ['64:ff9b::', 96], ['100::', 64],
] as const) BLOCKED.addSubnet(net, bits, 'ipv6');

/** An IPv4 address hidden in an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`), else the address itself. */
function unmap(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match ? match[1] : address;
}

function familyOf(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/** True for private, loopback, link-local and other non-public addresses (pure). */
export function isNonPublicAddress(address: string): boolean {
  const ip = unmap(address);
  if (!isIP(ip)) return true;
  return BLOCKED.check(ip, familyOf(ip));
}

/**
 * Refuses to connect to non-public addresses unless they are in the allow list (IPs or CIDR ranges from
 * `crawl.allowPrivateHosts`). The check is done on the DNS answer, both before a request (`check`) and on the
 * address actually connected to (`lookup`, given to undici), so a name that re-resolves to 127.0.0.1 is refused too.
 */
export class AddressGuard {
  private readonly allowed = new BlockList();

  constructor(allowPrivateHosts: readonly string[]) {
    for (const entry of allowPrivateHosts) {
      const [ip, bits] = entry.split('/');
      const address = unmap(ip);
      if (bits === undefined) this.allowed.addAddress(address, familyOf(address));
      else this.allowed.addSubnet(address, Number(bits), familyOf(address));
    }
  }

  /** Why the address may not be fetched, or undefined when it may. */
  refusal(address: string): string | undefined {
    const ip = unmap(address);
    if (!isNonPublicAddress(ip)) return undefined;
    if (isIP(ip) && this.allowed.check(ip, familyOf(ip))) return undefined;
    return `${ip} is a private, loopback or link-local address (not in crawl.allowPrivateHosts)`;
  }

  /** Resolves the URL's host and throws FetchError('blocked_address') when any address is refused. */
  async check(url: URL): Promise<void> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) ? [host] : await resolveAll(host, url.href);
    for (const address of addresses) {
      const reason = this.refusal(address);
      if (reason) throw new FetchError('blocked_address', `${url.host}: ${reason}`);
    }
  }

  /** A `lookup` for net.connect that drops refused addresses (fails when none is left). */
  readonly lookup = (
    hostname: string,
    options: { all?: boolean; family?: number | string } | number | undefined,
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    const opts = typeof options === 'object' && options ? options : {};
    dnsLookup(hostname, { all: true, family: typeof opts.family === 'number' ? opts.family : 0 }, (error, addresses) => {
      if (error) return callback(error, []);
      const ok = addresses.filter((a) => !this.refusal(a.address));
      if (ok.length === 0) {
        const refused = Object.assign(new Error(`${hostname}: ${this.refusal(addresses[0]?.address ?? '') ?? 'no address'}`), { code: 'EBLOCKEDADDRESS' });
        return callback(refused, []);
      }
      if (opts.all) return callback(null, ok);
      callback(null, ok[0].address, ok[0].family);
    });
  };
}

function resolveAll(host: string, url: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(host, { all: true }, (error, addresses) => {
      if (error) reject(new FetchError('network', `${error.code ?? 'ENOTFOUND'} resolving ${host} for ${url}`, { cause: error }));
      else resolve(addresses.map((a) => a.address));
    });
  });
}
