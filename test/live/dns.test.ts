// The DNS server, queried the way real clients query it: Node's resolver (c-ares, UDP), raw UDP
// and length-prefixed TCP messages encoded with dns-packet. Answers must be `resolve`'s answers.
import { test } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import net from "node:net";
import { Resolver } from "node:dns/promises";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type DecodedPacket, type Packet, decode, encode, streamEncode, RECURSION_DESIRED } from "dns-packet";
import { type Asker, resolve } from "../../src/analysis/dns.js";
import { NetworkView } from "../../src/analysis/view.js";
import { createVpc, deleteVpc, modifyVpcAttribute } from "../../src/control/vpcs.js";
import { main } from "../../src/cli/main.js";
import { applyLab } from "../../src/lab/apply.js";
import { type DnsServer, DEFAULT_DNS_PORT, startDnsServer } from "../../src/live/dns.js";
import { World } from "../../src/model/world.js";

const EXAMPLES = fileURLToPath(new URL("../../../examples/", import.meta.url));
const LAB2 = [`${EXAMPLES}lab2-interface-endpoint.yaml`, `${EXAMPLES}lab2-step3-add-endpoint.yaml`];
const REGION = "ap-northeast-2";
const CFN = `cloudformation.${REGION}.amazonaws.com`;
const S3 = `s3.${REGION}.amazonaws.com`;
const INTERNET: Asker = { component: { id: "internet", type: "internet" } };

function lab2(): World {
  let world = new World();
  for (const file of LAB2) world = applyLab(world, readFileSync(file, "utf8"), file).world;
  return world;
}

interface Fixture { world: World; vpcId: string; server: DnsServer; vpcPort: number; logs: string[]; setWorld(w: World): void }

/** The server on a random free base port (retried while any of its ports is taken). */
async function serve(world = lab2(), blockOffset?: number): Promise<Fixture & { blockers: { close(): Promise<void> } }> {
  let current = world;
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 40000);
    const blockers = blockOffset === undefined ? { close: () => Promise.resolve() } : await occupy(base + blockOffset);
    if (!blockers) continue;
    const logs: string[] = [];
    const server = await startDnsServer({ basePort: base, world: () => current, log: (l) => logs.push(l) });
    const unexpected = logs.filter((l) => l.includes("not listening") && !(blockOffset !== undefined && l.includes(`:${base + blockOffset} `)));
    if (unexpected.length > 0) {
      await server.close();
      await blockers.close();
      continue;
    }
    const vpcId = [...world.vpcs.keys()][0]!;
    return { world, vpcId, server, vpcPort: server.addressOf(vpcId).port, logs, setWorld: (w) => (current = w), blockers };
  }
  throw new Error("no free ports");
}

/** Binds a port (UDP and TCP) so that the server cannot; undefined when it is taken already. */
async function occupy(port: number): Promise<{ close(): Promise<void> } | undefined> {
  const udp = dgram.createSocket("udp4");
  const tcp = net.createServer();
  try {
    await new Promise<void>((ok, fail) => { udp.once("error", fail); udp.bind(port, "127.0.0.1", () => ok()); });
    await new Promise<void>((ok, fail) => { tcp.once("error", fail); tcp.listen(port, "127.0.0.1", () => ok()); });
  } catch {
    try { udp.close(); } catch { /* not bound */ }
    tcp.close();
    return undefined;
  }
  return { close: () => new Promise<void>((ok) => { udp.close(); tcp.close(() => ok()); }) };
}

function resolverFor(port: number): Resolver {
  const r = new Resolver({ timeout: 2000, tries: 1 });
  r.setServers([`127.0.0.1:${port}`]);
  return r;
}

async function a(port: number, name: string): Promise<{ address: string; ttl: number }[]> {
  return resolverFor(port).resolve4(name, { ttl: true });
}

async function failsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.equal((e as { code?: string }).code, code);
    return true;
  });
}

function query(name: string, type: "A" | "AAAA" | "CNAME" | "MX" = "A", id = 4242): Packet {
  return { type: "query", id, flags: RECURSION_DESIRED, questions: [{ type, name, class: "IN" }] };
}

/** One UDP exchange; undefined when nothing comes back within `ms`. */
async function udpExchange(port: number, msg: Buffer, ms = 2000): Promise<DecodedPacket | undefined> {
  const sock = dgram.createSocket("udp4");
  try {
    return await new Promise<DecodedPacket | undefined>((done) => {
      const timer = setTimeout(() => done(undefined), ms);
      sock.on("message", (m) => {
        clearTimeout(timer);
        done(decode(m));
      });
      sock.send(msg, port, "127.0.0.1");
    });
  } finally {
    sock.close();
  }
}

/** Writes `data` on one TCP connection and reads `count` length-prefixed answers. */
async function tcpExchange(port: number, data: Buffer, count: number): Promise<DecodedPacket[]> {
  const sock = net.connect(port, "127.0.0.1");
  try {
    return await new Promise<DecodedPacket[]>((done, fail) => {
      let buf = Buffer.alloc(0);
      const out: DecodedPacket[] = [];
      sock.on("error", fail);
      sock.on("close", () => fail(new Error(`closed after ${out.length} answers`)));
      sock.on("data", (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const len = buf.readUInt16BE(0);
          out.push(decode(buf.subarray(2, 2 + len)));
          buf = buf.subarray(2 + len);
        }
        if (out.length >= count) done(out);
      });
      sock.write(data);
    });
  } finally {
    sock.destroy();
  }
}

const rcodeOf = (p: DecodedPacket): string => (p as DecodedPacket & { rcode: string }).rcode;
const values = (p: DecodedPacket): string[] => (p.answers ?? []).map((x) => String((x as { data: unknown }).data));

function enis(world: World, vpcId: string): string[] {
  return world.vpcEndpoints.inVpc(vpcId).flatMap((e) => e.networkInterfaceIds).map((id) => world.networkInterfaces.get(id)!.privateIpAddress).sort();
}

test("private DNS answers the endpoint ENIs inside the VPC, the public view answers public addresses", async () => {
  const f = await serve();
  try {
    const inside = await a(f.vpcPort, CFN);
    assert.deepEqual(inside.map((x) => x.address).sort(), enis(f.world, f.vpcId));
    assert.ok(inside.every((x) => x.ttl === 60), "60 s TTL");
    const outside = await a(f.server.basePort, CFN);
    const expected = resolve(new NetworkView(f.world), INTERNET, CFN).answers.map((x) => x.value);
    assert.deepEqual(outside.map((x) => x.address).sort(), [...expected].sort());
    assert.ok(outside.every((x) => !x.address.startsWith("10.")));
    // The regional vpce name is a public record: the ENI addresses from anywhere.
    const regional = f.world.vpcEndpoints.inVpc(f.vpcId)[0]!.dnsEntries[0]!.dnsName;
    assert.deepEqual((await a(f.server.basePort, regional)).map((x) => x.address).sort(), enis(f.world, f.vpcId));
  } finally {
    await f.server.close();
  }
});

test("S3 rotates from query to query; EC2 names resolve inside only; unknown names are NXDOMAIN; other types NODATA", async () => {
  const f = await serve();
  try {
    const q1 = await a(f.vpcPort, S3);
    const q2 = await a(f.vpcPort, S3);
    assert.ok(q1.length > 1);
    assert.notEqual(q1[0]!.address, q2[0]!.address, "repeated queries rotate");
    assert.deepEqual(new Set(q1.map((x) => x.address)), new Set(q2.map((x) => x.address)));
    assert.ok(q1.every((x) => x.ttl === 5), "S3's 5 s TTL");
    assert.deepEqual(await a(f.vpcPort, `ip-10-0-1-103.${REGION}.compute.internal`), [{ address: "10.0.1.103", ttl: 60 }]);
    await failsWith(a(f.server.basePort, `ip-10-0-1-103.${REGION}.compute.internal`), "ENOTFOUND");
    await failsWith(a(f.vpcPort, "no-such-name.example.com"), "ENOTFOUND");
    await failsWith(resolverFor(f.vpcPort).resolve6(CFN), "ENODATA");
    await failsWith(resolverFor(f.vpcPort).resolve6("no-such-name.example.com"), "ENOTFOUND");
    await failsWith(resolverFor(f.vpcPort).resolveMx(S3), "ENODATA");
  } finally {
    await f.server.close();
  }
});

test("the answers are resolve()'s answers, record for record, with the header a resolver sends", async () => {
  const f = await serve();
  try {
    const view = new NetworkView(f.world);
    const asker: Asker = { vpcId: f.vpcId, component: { id: f.vpcId, type: "vpc" } };
    const regional = f.world.vpcEndpoints.inVpc(f.vpcId)[0]!.dnsEntries[0]!.dnsName;
    const names = [CFN, S3, S3, `mybucket.${S3}`, regional, `ip-10-0-1-103.${REGION}.compute.internal`, `ec2.${REGION}.amazonaws.com`, "nothing.example.com"];
    for (const [port, who] of [[f.vpcPort, asker], [f.server.basePort, INTERNET]] as const) {
      for (const [i, name] of names.entries()) {
        const n = f.world.dnsRotation.get(name) ?? 0;
        const expected = resolve(view, who, name, n);
        const viaTcp = i % 2 === 1;
        const r = viaTcp ? (await tcpExchange(port, streamEncode(query(name, "A", 1000 + i)), 1))[0]! : (await udpExchange(port, encode(query(name, "A", 1000 + i))))!;
        assert.equal(r.id, 1000 + i, "id echoed");
        assert.equal(r.type, "response");
        assert.ok(r.flag_rd && r.flag_ra, "RD echoed, RA set");
        assert.deepEqual(r.questions, [{ name, type: "A", class: "IN" }]);
        assert.equal(rcodeOf(r), expected.status, `${name} on ${port}`);
        assert.deepEqual((r.answers ?? []).map((x) => ({ name: x.name, type: x.type, ttl: (x as { ttl?: number }).ttl, value: (x as { data: unknown }).data })), expected.answers, name);
        assert.equal(r.flag_aa, expected.source.kind === "private-dns" || expected.source.kind === "ec2-internal");
      }
    }
    // The name as the client spelled it (0x20 case randomization) comes back as it was.
    const mixed = (await udpExchange(f.vpcPort, encode(query("CloudFormation.AP-northeast-2.amazonaws.com"))))!;
    assert.equal(mixed.questions![0]!.name, "CloudFormation.AP-northeast-2.amazonaws.com");
    assert.ok(mixed.answers!.every((x) => x.name === "CloudFormation.AP-northeast-2.amazonaws.com"));
    assert.deepEqual(values(mixed).sort(), enis(f.world, f.vpcId));
    // EDNS in, EDNS out.
    const edns = (await udpExchange(f.vpcPort, encode({ ...query(CFN), additionals: [{ type: "OPT", name: ".", udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] })))!;
    assert.equal(edns.additionals?.[0]?.type, "OPT");
  } finally {
    await f.server.close();
  }
});

test("a VPC with enableDnsSupport=false is REFUSED at once, not left to time out", async () => {
  const f = await serve();
  try {
    modifyVpcAttribute({ world: f.world, account: "000000000000", region: REGION }, f.vpcId, "enableDnsSupport", false);
    f.world.version += 1; // what the store does on every change
    const started = Date.now();
    await failsWith(a(f.vpcPort, CFN), "EREFUSED");
    assert.ok(Date.now() - started < 1000);
    assert.equal(rcodeOf((await udpExchange(f.vpcPort, encode(query(S3))))!), "REFUSED");
    assert.ok((await a(f.server.basePort, CFN)).length > 0, "the public view still answers");
  } finally {
    await f.server.close();
  }
});

test("sync() opens listeners for VPCs created since and closes those of deleted ones; a reloaded world is followed", async () => {
  const f = await serve();
  try {
    const ctx = { world: f.world, account: "000000000000", region: REGION };
    const vpc = createVpc(ctx, { cidrBlock: "10.9.0.0/16" });
    assert.equal(vpc.dnsIndex, 2);
    const port = f.server.addressOf(vpc.id).port;
    assert.equal(port, f.server.basePort + 2);
    await f.server.sync();
    assert.ok((await a(port, S3)).length > 1);
    assert.ok((await a(port, CFN)).every((x) => !x.address.startsWith("10.")), "no endpoint in the new VPC: the public answer");
    await f.server.sync(); // nothing changed: nothing happens
    deleteVpc(ctx, vpc.id);
    await f.server.sync();
    await assert.rejects(new Promise((ok, fail) => net.connect(port, "127.0.0.1").on("connect", ok).on("error", fail)), /ECONNREFUSED/);
    // Another World object (a reload from the store) with the same VPCs: same ports, same answers.
    const reloaded = World.fromSnapshot(structuredClone(f.world.toSnapshot()));
    f.setWorld(reloaded);
    await f.server.sync();
    assert.equal(f.server.addressOf(f.vpcId).port, f.vpcPort);
    assert.deepEqual((await a(f.vpcPort, CFN)).map((x) => x.address).sort(), enis(reloaded, f.vpcId));
    assert.throws(() => f.server.addressOf("vpc-00000000000000000"), /no VPC/);
  } finally {
    await f.server.close();
  }
});

test("DNS indexes are never reused and survive snapshots; old snapshots get them on load", () => {
  const world = lab2();
  const ctx = { world, account: "000000000000", region: REGION };
  const second = createVpc(ctx, { cidrBlock: "10.8.0.0/16" });
  deleteVpc(ctx, second.id);
  const third = createVpc(ctx, { cidrBlock: "10.7.0.0/16" });
  assert.equal(third.dnsIndex, 3, "the deleted VPC's index is not given again");
  const again = World.fromSnapshot(structuredClone(world.toSnapshot()));
  assert.equal(again.vpcs.get(third.id)!.dnsIndex, 3);
  assert.equal(createVpc({ ...ctx, world: again }, { cidrBlock: "10.6.0.0/16" }).dnsIndex, 4);
  // A snapshot from before DNS indexes: indexes given in map order, and the counter after them.
  const old = structuredClone(world.toSnapshot());
  delete old.dnsIndex;
  for (const v of old.vpcs) delete v.dnsIndex;
  const upgraded = World.fromSnapshot(old);
  assert.deepEqual([...upgraded.vpcs.values()].map((v) => v.dnsIndex), [1, 2]);
  assert.equal(upgraded.dnsIndex, 3);
});

test("a port already in use for one VPC is a warning; the public view and other VPCs still answer", async () => {
  const world = lab2();
  createVpc({ world, account: "000000000000", region: REGION }, { cidrBlock: "10.9.0.0/16" });
  const f = await serve(world, 1);
  try {
    assert.ok(f.logs.some((l) => l.startsWith("warning:") && l.includes(f.vpcId) && l.includes("not listening")), f.logs.join("\n"));
    assert.ok((await a(f.server.basePort, S3)).length > 1);
    assert.ok((await a(f.server.basePort + 2, S3)).length > 1);
  } finally {
    await f.server.close();
    await f.blockers.close();
  }
});

test("garbage never takes the server down: 1000 malformed UDP packets, garbage on TCP, then correct answers", async () => {
  const f = await serve();
  try {
    const good = encode(query(CFN, "A", 7));
    const random = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(Math.random() * 256)));
    const header = (qd: number, flags = 0x0100): Buffer => {
      const h = Buffer.alloc(12);
      h.writeUInt16BE(99, 0);
      h.writeUInt16BE(flags, 2);
      h.writeUInt16BE(qd, 4);
      return h;
    };
    const packets: Buffer[] = [
      Buffer.alloc(0), Buffer.alloc(1), Buffer.alloc(11), header(0), header(2), header(1), header(65535),
      Buffer.concat([header(1), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]), // a name pointing at itself
      Buffer.concat([header(1), Buffer.from([0xc0, 0x00, 0, 1, 0, 1])]), // a name pointing into the header
      Buffer.concat([header(1), Buffer.from([63]), random(10)]), // a label longer than the packet
      Buffer.concat([header(1), Buffer.from([2, 0xff, 0xfe, 0, 0, 1, 0, 1])]), // a label that is not UTF-8
      Buffer.concat([header(1), Buffer.from([1, 0x61, 0, 0, 1, 0, 9])]), // class 9
      Buffer.concat([header(1, 0x8100), good.subarray(12)]), // a response, not a query
      Buffer.alloc(4000, 0x41), Buffer.alloc(60000, 0x3f),
    ];
    // Each of these gets no answer at all (an echoed question would not be the one asked, or there is none).
    const silent = await Promise.all(packets.map((p) => udpExchange(f.vpcPort, p, 500)));
    assert.deepEqual(silent.map((r, i) => (r === undefined ? undefined : i)).filter((i) => i !== undefined), []);
    for (let i = 0; i < 300; i++) packets.push(good.subarray(0, Math.floor(Math.random() * good.length))); // truncated
    for (let i = 0; i < 300; i++) {
      const m = Buffer.from(good);
      for (let k = 0; k < 3; k++) m[Math.floor(Math.random() * m.length)] = Math.floor(Math.random() * 256);
      packets.push(m); // mutated
    }
    while (packets.length < 1000) packets.push(random(Math.floor(Math.random() * 600)));
    const sock = dgram.createSocket("udp4");
    const replies: Buffer[] = [];
    sock.on("message", (m) => replies.push(m));
    await new Promise<void>((ok) => sock.bind(0, "127.0.0.1", () => ok()));
    for (const p of packets) await new Promise<void>((ok) => sock.send(p, f.vpcPort, "127.0.0.1", () => ok()));
    await new Promise((ok) => setTimeout(ok, 200));
    sock.close();
    for (const r of replies) assert.equal(decode(r).type, "response", "whatever was answered decodes");
    assert.ok(replies.length < 400, `malformed packets are dropped (${replies.length} answered)`);

    // TCP: garbage, a too-short length, and a message with no question each end their connection.
    const garbage = Buffer.concat([Buffer.from([0, 100]), random(100)]);
    garbage.writeUInt16BE(0xffff, 2 + 4); // 65535 questions in 100 bytes
    for (const bad of [garbage, Buffer.from([0, 3, 1, 2, 3]), streamEncode({ type: "query", id: 1, questions: [] })]) {
      const sock2 = net.connect(f.vpcPort, "127.0.0.1");
      await new Promise<void>((ok, fail) => {
        const timer = setTimeout(() => fail(new Error("the connection stayed open")), 3000);
        sock2.on("close", () => { clearTimeout(timer); ok(); });
        sock2.on("error", () => undefined);
        sock2.write(bad);
      });
    }
    // Several queries on one connection, written at once and answered in order.
    const many = await tcpExchange(f.vpcPort, Buffer.concat([streamEncode(query(CFN, "A", 1)), streamEncode(query(S3, "A", 2)), streamEncode(query("x.example.com", "A", 3))]), 3);
    assert.deepEqual(many.map((p) => [p.id, rcodeOf(p)]), [[1, "NOERROR"], [2, "NOERROR"], [3, "NXDOMAIN"]]);
    // And the real resolver still gets the right answer.
    assert.deepEqual((await a(f.vpcPort, CFN)).map((x) => x.address).sort(), enis(f.world, f.vpcId));
  } finally {
    await f.server.close();
  }
});

test("vpclab dns-address VPC prints where that VPC's resolver listens", () => {
  const data = mkdtempSync(join(tmpdir(), "vpclab-dns-"));
  const run = (...argv: string[]): { code: number; out: string; err: string } => {
    const out: string[] = [];
    const err: string[] = [];
    const code = main(["--data", data, ...argv], (s) => out.push(s), (s) => err.push(s));
    // eslint-disable-next-line no-control-regex
    const plain = (l: string[]): string => l.join("\n").replace(/\x1b\[\d+m/g, "");
    return { code, out: plain(out), err: plain(err) };
  };
  assert.equal(run("apply", ...LAB2).code, 0);
  const byName = run("dns-address", "lab-vpc");
  assert.equal(byName.code, 0, byName.err);
  const [first, hint] = byName.out.split("\n");
  assert.equal(first, `127.0.0.1 ${DEFAULT_DNS_PORT + 1}`);
  assert.equal(hint, `dig @127.0.0.1 -p ${DEFAULT_DNS_PORT + 1} ${CFN}`);
  const json = run("dns-address", "lab-vpc", "--output", "json", "--dns-port", "9000");
  const parsed = JSON.parse(json.out) as { vpcId: string; host: string; port: number; resolver: string };
  assert.deepEqual(parsed, { vpcId: parsed.vpcId, host: "127.0.0.1", port: 9001, resolver: "10.0.0.2" });
  assert.match(parsed.vpcId, /^vpc-[0-9a-f]{17}$/);
  assert.equal(run("dns-address", parsed.vpcId).out.split("\n")[0], `127.0.0.1 ${DEFAULT_DNS_PORT + 1}`, "by id too");
  process.env["VPCLAB_DNS_PORT"] = "10000";
  try {
    assert.equal(run("dns-address", "lab-vpc").out.split("\n")[0], "127.0.0.1 10001");
  } finally {
    delete process.env["VPCLAB_DNS_PORT"];
  }
  const unknown = run("dns-address", "no-such-vpc");
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /no VPC with id or Name 'no-such-vpc'/);
  assert.equal(run("dns-address").code, 2);
  assert.match(run("dns-address", "lab-vpc", "--dns-port", "http").err, /--dns-port must be a port number/);
});

test("a second DNS server on ports another one holds says that they are taken, instead of claiming to listen", async () => {
  const f = await serve();
  try {
    const logs: string[] = [];
    const second = await startDnsServer({ basePort: f.server.addressOf(f.vpcId).port - 1, world: () => f.world, log: (l) => logs.push(l) });
    await second.close();
    const summary = logs.find((l) => l.startsWith("DNS on "));
    assert.match(summary ?? "", /\(public view\) NOT LISTENING and 0 VPC resolvers .*; 2 port\(s\) are taken \(another vpclab\? choose another --dns-port\)/);
    assert.match(f.logs.find((l) => l.startsWith("DNS on ")) ?? "", /\(public view\) and 1 VPC resolver on base port \+ index \('vpclab dns-address VPC'\)$/, "the first one listens and says nothing more");
  } finally {
    await f.server.close();
  }
});
