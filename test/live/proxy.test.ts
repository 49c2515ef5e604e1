// The TCP data plane in-process: the planner's decisions, and real sockets through startProxy:
// bytes intact both ways, half-close, refusal without a byte, a world that changes between
// connections, and a backend that is down (refused, logged, the proxy carries on). The carrying
// tests run twice: with clients' sockets adopted to read into the proxy's buffer (the default)
// and with the fallback that reads them as 'data' events.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import net from "node:net";
import type { TraceSource } from "../../src/analysis/trace.js";
import type { NetworkView } from "../../src/analysis/view.js";
import { FlowPlanner, type FlowTarget } from "../../src/live/flow.js";
import { type Proxy, type ProxyOptions, adoptWithOnread, startProxy } from "../../src/live/proxy.js";
import type { World } from "../../src/model/world.js";
import { LAB_NO_80, OTHER_IP, PAGE, WEB_IP, echoServer, exchangeRaw, labWorld, tagWeb, webServer } from "./webLab.js";

function fromClient(view: NetworkView): TraceSource {
  const inst = [...view.world.instances.values()].find((i) => i.tags.some((t) => t.key === "Name" && t.value === "client"))!;
  return { kind: "eni", eniId: inst.networkInterfaceId };
}

function planner(world: () => World, target: FlowTarget): FlowPlanner {
  return new FlowPlanner(world, fromClient, target);
}

async function withProxy(world: () => World, target: FlowTarget, body: (p: Proxy, logs: string[]) => Promise<void>, more: Partial<ProxyOptions> = {}): Promise<void> {
  const logs: string[] = [];
  const proxy = await startProxy({ host: "127.0.0.1", port: 0, planner: planner(world, target), log: (l) => logs.push(l), connectTimeoutMs: 1000, ...more });
  try {
    await body(proxy, logs);
  } finally {
    await proxy.close();
  }
}

/** The two ways the proxy reads its clients: into its own buffer (adopted sockets), and the 'data' fallback. */
const MODES = [
  { name: "", options: {} },
  { name: " (fallback: clients read as 'data')", options: { clientOnread: false } },
];

/** Waits (polling) until `done` holds; the test's own timeout is the limit. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
}

function listening(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));
}

test("the planner: deliver to the tagged backend, no-backend without a tag, blocked by a security group, unresolved names", () => {
  const world = labWorld();
  tagWeb(world, "80=127.0.0.1:18080,7=127.0.0.1:18007");
  let plan = planner(() => world, { ip: WEB_IP, port: 80 }).plan(0);
  assert.equal(plan.kind, "deliver");
  if (plan.kind === "deliver") {
    assert.equal(plan.address, "127.0.0.1:18080");
    assert.equal(plan.delivery.ip, WEB_IP);
    assert.match(plan.delivery.instanceId ?? "", /^i-/);
  }
  plan = planner(() => world, { ip: WEB_IP, port: 7 }).plan(0);
  assert.equal(plan.kind === "deliver" && plan.address, "127.0.0.1:18007");

  plan = planner(() => world, { ip: OTHER_IP, port: 80 }).plan(0);
  assert.equal(plan.kind, "no-backend");
  assert.match(plan.kind === "no-backend" ? plan.reason : "", /vpclab:backend/);

  plan = planner(() => world, { ip: WEB_IP, port: 8080 }).plan(0);
  assert.equal(plan.kind, "blocked");
  assert.ok(plan.trace.explanations.some((e) => e.code === "ENI_SG_RULES_MISMATCH"));

  // EC2's own name for the instance resolves inside the VPC (the trace does the DNS).
  plan = planner(() => world, { host: `ip-10-0-2-10.ap-northeast-2.compute.internal`, port: 80 }).plan(0);
  assert.equal(plan.kind, "deliver");
  plan = planner(() => world, { host: "no-such-name.invalid", port: 80 }).plan(0);
  assert.equal(plan.kind, "unresolved");
});

test("the planner traces an unchanged world on one NetworkView, and a changed world on a new one", () => {
  const world = labWorld();
  tagWeb(world, "127.0.0.1:18080");
  let views = 0;
  const p = new FlowPlanner(() => world, (view) => {
    views++;
    return fromClient(view);
  }, { ip: WEB_IP, port: 80 });
  for (let i = 0; i < 5; i++) assert.equal(p.plan(i).kind, "deliver");
  assert.equal(views, 1);
  tagWeb(world, "127.0.0.1:18081");
  const plan = p.plan(5);
  assert.equal(views, 2);
  assert.equal(plan.kind === "deliver" && plan.address, "127.0.0.1:18081");
});

for (const mode of MODES) test(`many connections at once, then more reusing their buffers: each gets its own bytes back${mode.name}`, async () => {
  const echo = await echoServer();
  const world = labWorld();
  tagWeb(world, echo.address);
  try {
    await withProxy(() => world, { ip: WEB_IP, port: 7 }, async (proxy) => {
      for (let round = 0; round < 3; round++) {
        const payloads = Array.from({ length: 16 }, (_, i) => randomBytes((256 << 10) + i * 4099));
        const results = await Promise.all(payloads.map((p) => exchangeRaw(proxy.port, p)));
        results.forEach((r, i) => {
          assert.equal(r.error, undefined);
          assert.ok(r.data.subarray(0, -3).equals(payloads[i]!), `connection ${i} of round ${round}: its own bytes, in order`);
        });
      }
      await until(() => proxy.open === 0);
      assert.equal(proxy.accepted, 48);
    }, mode.options);
  } finally {
    await echo.close();
  }
});

for (const mode of MODES) test(`bytes go through intact both ways, and a half-closed client still gets the server's answer${mode.name}`, async () => {
  const echo = await echoServer();
  const world = labWorld();
  tagWeb(world, echo.address);
  try {
    await withProxy(() => world, { ip: WEB_IP, port: 7 }, async (proxy, logs) => {
      const payload = randomBytes(8 << 20);
      const r = await exchangeRaw(proxy.port, payload);
      assert.equal(r.error, undefined);
      // Everything echoed, then "bye", sent by the server after it saw the client's FIN.
      assert.equal(r.data.length, payload.length + 3);
      assert.equal(createHash("sha256").update(r.data.subarray(0, payload.length)).digest("hex"), createHash("sha256").update(payload).digest("hex"));
      assert.equal(r.data.subarray(payload.length).toString(), "bye");
      assert.equal(logs.length, 1);
      assert.match(logs[0]!, /^#1 127\.0\.0\.1:\d+ → 10\.0\.2\.10:7 {2}admitted {2}i-\w+ \(10\.0\.2\.10:7\) → 127\.0\.0\.1:\d+$/);
      await until(() => proxy.open === 0);
    }, mode.options);
  } finally {
    await echo.close();
  }
});

for (const mode of MODES) test(`a slow client: reading from the backend waits for it, and every byte arrives in order${mode.name}`, async () => {
  const payload = randomBytes(24 << 20);
  const server = net.createServer((s) => {
    s.on("error", () => undefined);
    s.end(payload);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const world = labWorld();
  tagWeb(world, `127.0.0.1:${(server.address() as net.AddressInfo).port}`);
  try {
    await withProxy(() => world, { ip: WEB_IP, port: 7 }, async (proxy) => {
      const got = await new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        const s = net.connect({ host: "127.0.0.1", port: proxy.port });
        // Pauses now and then, so that the proxy's writes to it back up.
        s.on("data", (c: Buffer) => {
          chunks.push(c);
          if (chunks.length % 16 === 0) {
            s.pause();
            setTimeout(() => s.resume(), 5);
          }
        });
        s.on("end", () => resolve(Buffer.concat(chunks)));
        s.on("error", reject);
      });
      assert.equal(got.length, payload.length);
      assert.ok(got.equals(payload), "the same bytes in the same order");
    }, mode.options);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

for (const mode of MODES) test(`a slow backend: the client is held back, and every byte arrives in order${mode.name}`, async () => {
  const payload = randomBytes(24 << 20);
  let received: Promise<Buffer> | undefined;
  const server = net.createServer((s) => {
    s.on("error", () => undefined);
    received = new Promise((resolve) => {
      const chunks: Buffer[] = [];
      s.on("data", (c: Buffer) => {
        chunks.push(c);
        if (chunks.length % 16 === 0) {
          s.pause();
          setTimeout(() => s.resume(), 5);
        }
      });
      s.on("end", () => {
        resolve(Buffer.concat(chunks));
        s.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const world = labWorld();
  tagWeb(world, `127.0.0.1:${(server.address() as net.AddressInfo).port}`);
  try {
    await withProxy(() => world, { ip: WEB_IP, port: 7 }, async (proxy) => {
      const r = await exchangeRaw(proxy.port, payload);
      assert.equal(r.error, undefined);
      const got = await received!;
      assert.equal(got.length, payload.length);
      assert.ok(got.equals(payload), "the same bytes in the same order");
    }, mode.options);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test("a real HTTP client through the proxy gets the page", async () => {
  const web = await webServer();
  const world = labWorld();
  tagWeb(world, web.address);
  try {
    await withProxy(() => world, { ip: WEB_IP, port: 80 }, async (proxy) => {
      for (let i = 0; i < 3; i++) {
        const body = await new Promise<string>((resolve, reject) => {
          http.get({ host: "127.0.0.1", port: proxy.port, path: "/", agent: false }, (res) => {
            let text = "";
            res.on("data", (c: Buffer) => (text += c.toString()));
            res.on("end", () => resolve(text));
          }).on("error", reject);
        });
        assert.equal(body, PAGE);
      }
      assert.equal(proxy.accepted, 3);
    });
  } finally {
    await web.close();
  }
});

test("each connection is traced on the world as it is: a rule removed refuses the next one, without a byte", async () => {
  const echo = await echoServer();
  let world = labWorld();
  tagWeb(world, `80=${echo.address}`);
  try {
    await withProxy(() => world, { ip: WEB_IP, port: 80 }, async (proxy, logs) => {
      assert.equal((await exchangeRaw(proxy.port, "hello")).data.toString(), "hellobye");
      world = labWorld(LAB_NO_80);
      tagWeb(world, `80=${echo.address}`);
      const r = await exchangeRaw(proxy.port, "hello");
      assert.equal(r.data.length, 0);
      assert.match(logs[1]!, /refused {2}ENI_SG_RULES_MISMATCH: /);
      assert.equal(echo.sockets.size, 0, "nothing reached the backend");
    });
  } finally {
    await echo.close();
  }
});

test("a backend that is down: the connection is refused and logged, the proxy keeps serving", async () => {
  const echo = await echoServer();
  const world = labWorld();
  tagWeb(world, echo.address);
  const address = echo.address;
  await echo.close();
  await withProxy(() => world, { ip: WEB_IP, port: 7 }, async (proxy, logs) => {
    const r = await exchangeRaw(proxy.port, "hello");
    assert.equal(r.data.length, 0);
    assert.ok(logs.some((l) => l.includes(`backend ${address}`) && l.includes("ECONNREFUSED")), logs.join("\n"));
    assert.match(logs.at(-1)!, /refused {2}TARGET_UNHEALTHY: i-\w+ \(10\.0\.2\.10:7\): its backend/);
    // Still listening.
    const again = await exchangeRaw(proxy.port, "x");
    assert.equal(again.data.length, 0);
    assert.equal(proxy.accepted, 2);
  });
});

for (const mode of MODES) test(`a backend that resets mid-stream closes the client too, and nothing crashes${mode.name}`, async () => {
  const server = net.createServer((s) => {
    s.on("error", () => undefined);
    s.once("data", () => s.resetAndDestroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const world = labWorld();
  tagWeb(world, `127.0.0.1:${(server.address() as net.AddressInfo).port}`);
  try {
    await withProxy(() => world, { ip: WEB_IP, port: 7 }, async (proxy) => {
      const r = await exchangeRaw(proxy.port, "boom", false);
      assert.equal(r.data.length, 0);
      await until(() => proxy.open === 0);
    }, mode.options);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

for (const mode of MODES) test(`a client that resets mid-stream closes the backend's connection too, no socket stays open, the proxy carries on${mode.name}`, async () => {
  let backendGot = 0;
  let backendClosed = false;
  let firstBytes: () => void = () => undefined;
  const arrived = new Promise<void>((resolve) => (firstBytes = resolve));
  const sink = net.createServer((s) => {
    s.on("error", () => undefined);
    s.on("data", (c: Buffer) => {
      backendGot += c.length;
      firstBytes();
    });
    s.on("close", () => (backendClosed = true));
  });
  const port = await listening(sink);
  const world = labWorld();
  tagWeb(world, `127.0.0.1:${port}`);
  try {
    await withProxy(() => world, { ip: WEB_IP, port: 7 }, async (proxy, logs) => {
      const client = net.connect({ host: "127.0.0.1", port: proxy.port });
      const clientClosed = new Promise<void>((resolve) => client.on("close", () => resolve()));
      client.on("error", () => undefined);
      client.on("connect", () => {
        // More than the sockets hold: the proxy is mid-stream, its writes to the backend busy.
        for (let i = 0; i < 16; i++) client.write(Buffer.alloc(1 << 20, i));
      });
      await arrived;
      client.resetAndDestroy();
      await clientClosed;
      await until(() => backendClosed && proxy.open === 0);
      assert.ok(backendGot > 0 && backendGot < 16 << 20, `the backend got ${backendGot} bytes before the reset reached it`);
      // The next connection is admitted and carried (the sink closes on the client's FIN).
      const next = await exchangeRaw(proxy.port, "still here");
      assert.equal(next.error, undefined);
      assert.equal(logs.filter((l) => l.includes(" admitted ")).length, 2);
      await until(() => proxy.open === 0);
    }, mode.options);
  } finally {
    await new Promise<void>((resolve) => sink.close(() => resolve()));
  }
});

test("a client's first bytes and FIN, sent while the proxy is still tracing, are all carried", async () => {
  const echo = await echoServer();
  const world = labWorld();
  tagWeb(world, echo.address);
  // The first trace (of the only connection) holds the proxy's thread for a while: the client, a
  // process of its own, has sent everything by the time the proxy connects to the backend.
  let first = true;
  const slowWorld = (): World => {
    if (first) {
      first = false;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
    }
    return world;
  };
  try {
    await withProxy(slowWorld, { ip: WEB_IP, port: 7 }, async (proxy, logs) => {
      const script = `
        const net = require("node:net");
        const payload = Buffer.alloc(48 * 1024, 0x2a);
        const s = net.connect({ host: "127.0.0.1", port: ${proxy.port}, allowHalfOpen: true }, () => s.end(payload));
        const got = [];
        s.on("data", (c) => got.push(c));
        s.on("error", (e) => process.stdout.write("error " + e.message));
        s.on("close", () => {
          const all = Buffer.concat(got);
          process.stdout.write(all.subarray(0, payload.length).equals(payload) + " " + all.subarray(payload.length).toString());
        });`;
      const out = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
        let text = "";
        child.stdout.on("data", (c: Buffer) => (text += c.toString()));
        child.on("error", reject);
        child.on("close", () => resolve(text));
      });
      assert.equal(out, "true bye", "every byte echoed, then the server's answer to the FIN");
      assert.match(logs[0]!, / admitted /);
    });
  } finally {
    await echo.close();
  }
});

test("adoptWithOnread: a paused accepted socket reads into the given buffer; one it cannot adopt comes back as it is, and still works", async () => {
  const buffer = Buffer.alloc(4096);
  const results: boolean[] = [];
  const serve = (pauseOnConnect: boolean): net.Server => net.createServer({ pauseOnConnect, allowHalfOpen: true }, (accepted) => {
    let text = "";
    const { socket, onread } = adoptWithOnread(accepted, {
      buffer,
      callback: (n, buf) => {
        assert.equal(buf, buffer);
        text += Buffer.from(buf.buffer, buf.byteOffset, n).toString();
        return true;
      },
    });
    results.push(onread);
    if (onread) assert.notEqual(socket, accepted);
    else {
      assert.equal(socket, accepted);
      socket.on("data", (c: Buffer) => (text += c.toString()));
    }
    socket.on("end", () => socket.end(`got ${text}`));
    socket.resume();
  });
  for (const pauseOnConnect of [true, false]) {
    const server = serve(pauseOnConnect);
    const port = await listening(server);
    const r = await exchangeRaw(port, "hello");
    assert.equal(r.data.toString(), "got hello");
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  // Adopted when paused; a socket already reading (no pauseOnConnect) is left as it is.
  assert.deepEqual(results, [true, false]);
  // No handle at all (not connected; as where net.Socket has no `_handle`): the same socket back.
  const bare = new net.Socket();
  const r = adoptWithOnread(bare, { buffer, callback: () => true });
  assert.equal(r.socket, bare);
  assert.equal(r.onread, false);
  bare.destroy();
});
