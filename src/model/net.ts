// IPv4 addresses and CIDR blocks: parsed and validated by ipaddr.js, then held as 32-bit
// unsigned integers so that containment, overlap and prefix lookups are plain arithmetic.
import ipaddr from "ipaddr.js";

export interface Cidr {
  readonly base: number; // network address, unsigned
  readonly prefix: number;
  readonly text: string;
}

/** A dotted-quad IPv4 address as an unsigned integer, or undefined when it is not one. */
export function parseIpv4(text: string): number | undefined {
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  const [a, b, c, d] = ipaddr.IPv4.parse(text).octets as [number, number, number, number];
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

export function formatIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/**
 * A CIDR block whose address is the network address itself (AWS rejects 10.0.1.5/24), or
 * undefined when the text is not a valid IPv4 CIDR.
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const base = parseIpv4(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (base === undefined || !/^\d{1,2}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > 32 || ((base & maskOf(prefix)) >>> 0) !== base) return undefined;
  return { base, prefix, text };
}

/** Like parseCidr, but for input that the project itself wrote (catalog data): throws on error. */
export function cidr(text: string): Cidr {
  const c = parseCidr(text);
  if (!c) throw new Error(`invalid CIDR in data: ${text}`);
  return c;
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function containsIp(c: Cidr, ip: number): boolean {
  return ((ip & maskOf(c.prefix)) >>> 0) === c.base;
}

export function containsCidr(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && containsIp(outer, inner.base);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return containsCidr(a, b) || containsCidr(b, a);
}

/** RFC 1918 and the other ranges that never appear as public internet addresses. */
const NON_PUBLIC = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "0.0.0.0/8"].map(cidr);

export function isPublicIp(ip: number): boolean {
  return !NON_PUBLIC.some((c) => containsIp(c, ip)) && ip < 0xe0000000;
}
