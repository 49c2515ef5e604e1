import { test } from "node:test";
import assert from "node:assert/strict";
import { containsCidr, containsIp, formatIpv4, isPublicIp, overlaps, parseCidr, parseIpv4 } from "../../src/model/net.js";
import { PrefixTable } from "../../src/model/lpm.js";

test("parseCidr accepts network addresses and rejects host bits, bad prefixes and junk", () => {
  assert.deepEqual(parseCidr("10.0.0.0/16"), { base: parseIpv4("10.0.0.0"), prefix: 16, text: "10.0.0.0/16" });
  for (const bad of ["10.0.1.5/24", "10.0.0.0/33", "10.0.0.0", "10.0.0/16", "300.0.0.0/8", "10.0.0.0/-1", "abc", ""]) {
    assert.equal(parseCidr(bad), undefined, bad);
  }
});

test("containment and overlap", () => {
  const vpc = parseCidr("10.0.0.0/16")!;
  assert.ok(containsCidr(vpc, parseCidr("10.0.1.0/24")!));
  assert.ok(!containsCidr(vpc, parseCidr("10.1.0.0/24")!));
  assert.ok(overlaps(parseCidr("10.0.0.0/23")!, parseCidr("10.0.1.0/24")!));
  assert.ok(!overlaps(parseCidr("10.0.0.0/24")!, parseCidr("10.0.1.0/24")!));
  assert.ok(containsIp(parseCidr("0.0.0.0/0")!, parseIpv4("52.219.60.10")!));
  assert.equal(formatIpv4(parseIpv4("255.1.2.3")!), "255.1.2.3");
});

test("isPublicIp excludes RFC 1918, CGNAT and link-local", () => {
  assert.ok(isPublicIp(parseIpv4("52.219.60.10")!));
  for (const p of ["10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "169.254.169.253"]) assert.ok(!isPublicIp(parseIpv4(p)!), p);
});

test("PrefixTable finds the longest prefix first", () => {
  const t = new PrefixTable<string>();
  t.insert(parseCidr("0.0.0.0/0")!, "default");
  t.insert(parseCidr("52.219.56.0/22")!, "s3");
  t.insert(parseCidr("52.219.57.0/24")!, "more specific");
  assert.deepEqual(t.longest(parseIpv4("52.219.57.9")!), ["more specific"]);
  assert.deepEqual(t.longest(parseIpv4("52.219.58.9")!), ["s3"]);
  assert.deepEqual(t.longest(parseIpv4("8.8.8.8")!), ["default"]);
  assert.deepEqual(t.matches(parseIpv4("52.219.57.9")!).map((m) => m.prefix), [24, 22, 0]);
});
