// The TCP data plane in-process: the planner's decisions, and real sockets through startProxy:
// bytes intact both ways, half-close, refusal without a byte, a world that changes between
// connections, and a backend that is down (refused, logged, the proxy carries on).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import net from "node:net";
import type { TraceSource } from "../../src/analysis/trace.js";
import type { NetworkView } from "../../src/analysis/view.js";
import { FlowPlanner, type FlowTarget } from "../../src/live/flow.js";
import { type Proxy, startProxy } from "../../src/live/proxy.js";
import type { World } from "../../src/model/world.js";
import { LAB_NO_80, OTHER_IP, PAGE, WEB_IP, echoServer, exchangeRaw, labWorld, tagWeb, webServer } from "./webLab.js";

function fromClient(view: NetworkView): TraceSource {
  const inst = [...view.world.instances.values()].find((i) => i.tags.some((t) => t.key === "Name" && t.value === "client"))!;
  return { kind: "eni", eniId: inst.networkInterfaceId };
}

function planner(world: () => World, target: FlowTarget): FlowPlanner {
  return new FlowPlanner(world, fromClient, target);
}

async function withProxy(world: () => World, target: FlowTarget, body: (p: Proxy, logs: string[]) => Promise<void>): Promise<void> {
  const logs: string[] = [];
  const proxy = await startProxy({ host: "127.0.0.1", port: 0, planner: planner(world, target), log: (l) => logs.push(l), connectTimeoutMs: 1000 });
  try {
    await body(proxy, logs);
  } finally {
    await proxy.close();
  }
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

test("bytes go through intact both ways, and a half-closed client still gets the server's answer", async () => {
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
    });
  } finally {
    await echo.close();
  }
});

test("a slow client: reading from the backend waits for it, and every byte arrives in order", async () => {
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
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test("a slow backend: the client is held back, and every byte arrives in order", async () => {
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
    });
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

test("a backend that resets mid-stream closes the client too, and nothing crashes", async () => {
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
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
