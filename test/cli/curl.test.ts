// `vpclab curl` and `vpclab connect` as users run them: real processes over a data directory
// built by `vpclab apply`, a real local web server behind the web instance (the lab file's
// `backend:`, its vpclab:backend tag), real HTTP clients.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LAB, LAB_NO_80, PAGE, WEB_IP, exchangeRaw, vpclabAsync, webServer } from "../live/webLab.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BIN = join(ROOT, "dist/src/cli/main.js");
const ENV = { ...process.env, NO_COLOR: "1" };

const vpclab = vpclabAsync;

/** A data directory with the lab applied, the web instance's real server declared with the lab file's `backend:`. */
function world(backend: string | undefined, lab = LAB): string {
  const dir = mkdtempSync(join(tmpdir(), "vpclab-curl-"));
  const web = `web: { subnet: web-subnet, privateIp: ${WEB_IP}, securityGroups: [web-sg] }`;
  assert.ok(lab.includes(web));
  writeFileSync(join(dir, "lab.yaml"), backend === undefined ? lab : lab.replace(web, `${web.slice(0, -2)}, backend: "${backend}" }`));
  const r = spawnSync(process.execPath, [BIN, "--data", dir, "apply", join(dir, "lab.yaml")], { env: ENV, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return dir;
}

test("curl from the client instance gets the real page through the VPC, by address and by EC2's DNS name", async () => {
  const web = await webServer();
  try {
    const d = world(web.address);
    let r = await vpclab(d, "curl", "--from", "client", `http://${WEB_IP}/`);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, PAGE);
    r = await vpclab(d, "curl", "--from", "client", "-i", "http://ip-10-0-2-10.ap-northeast-2.compute.internal/");
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(r.out.endsWith(`\r\n\r\n${PAGE}`));
    // Method, body, headers and the Host the client asked for reach the real server.
    r = await vpclab(d, "curl", "--from", "client", "-X", "PUT", "-d", "a=1", "-H", "X-Lab: 3", `${WEB_IP}/echo?q=1`);
    assert.equal(r.code, 0, r.err);
    const echoed = JSON.parse(r.out) as { method: string; url: string; host: string; body: string; headers: Record<string, string> };
    assert.deepEqual([echoed.method, echoed.url, echoed.host, echoed.body, echoed.headers["x-lab"]], ["PUT", "/echo?q=1", WEB_IP, "a=1", "3"]);
    // -v: the trace's hops on stderr; --fail: an HTTP error is exit 22.
    r = await vpclab(d, "curl", "--from", "client", "-v", "-f", `http://${WEB_IP}/missing`);
    assert.equal(r.code, 22);
    assert.equal(r.out, "");
    assert.match(r.err, /^\* .*REACHABLE/m);
    assert.match(r.err, /returned error: 404/);
  } finally {
    await web.close();
  }
});

test("curl on a blocked path prints every blocker with its fix and exits 7; a name that does not resolve exits 6", async () => {
  const web = await webServer();
  try {
    const d = world(web.address, LAB_NO_80);
    let r = await vpclab(d, "curl", "--from", "client", `http://${WEB_IP}/`);
    assert.equal(r.code, 7);
    assert.equal(r.out, "");
    assert.match(r.err, /^curl: \(7\) Failed to connect to 10\.0\.2\.10 port 80/);
    assert.match(r.err, /ENI_SG_RULES_MISMATCH/);
    assert.match(r.err, /fix: /);
    assert.doesNotMatch(r.err, /at .*\.js:\d+/, "no stack trace");
    r = await vpclab(d, "curl", "--from", "client", "http://no-such-name.invalid/");
    assert.equal(r.code, 6);
    assert.match(r.err, /Could not resolve host: no-such-name\.invalid/);
  } finally {
    await web.close();
  }
});

test("curl to an instance with no real server says how to tag it; a stopped server is an unhealthy target, not a crash", async () => {
  const web = await webServer();
  const d = world(web.address);
  let r = await vpclab(d, "curl", "--from", "client", "http://10.0.2.11/");
  assert.equal(r.code, 7);
  assert.match(r.err, /delivered to i-\w+ \(10\.0\.2\.11\) on port 80, but i-\w+ has no vpclab:backend tag/);
  assert.match(r.err, /create-tags --resources i-\w+ --tags Key=vpclab:backend,Value=/);
  await web.close();
  r = await vpclab(d, "curl", "--from", "client", `http://${WEB_IP}/`);
  assert.equal(r.code, 7);
  assert.match(r.err, new RegExp(`target i-\\w+ \\(${WEB_IP.replace(/\./g, "\\.")}:80\\) is unhealthy`));
  assert.match(r.err, new RegExp(`${web.address} does not accept connections \\(ECONNREFUSED\\)`));
  assert.doesNotMatch(r.err, /internal error|at .*\.js:\d+/);
});

/** `vpclab connect` running; resolves once it says where it listens. */
async function connect(data: string, ...args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; port: number; log: () => string }> {
  const child = spawn(process.execPath, [BIN, "--data", data, "connect", ...args], { cwd: ROOT, env: ENV });
  let err = "";
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on("close", (code) => reject(new Error(`vpclab connect exited ${code}: ${err}`)));
  });
  return { child, port, log: () => err };
}

function get(port: number, path = "/"): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path, agent: false, headers: { host: WEB_IP } }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve(text));
    }).on("error", reject);
  });
}

test("connect: a real client through the listener gets the page; a blocked path is closed without data, and logged", async () => {
  const web = await webServer();
  const d = world(web.address);
  const open = await connect(d, "--from", "client", `${WEB_IP}:80`);
  const blocked = await connect(d, "--from", "client", `${WEB_IP}:8080`);
  try {
    assert.equal(await get(open.port), PAGE);
    assert.equal(await get(open.port), PAGE);
    const r = await exchangeRaw(blocked.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.equal(r.data.length, 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.match(open.log(), /#1 127\.0\.0\.1:\d+ → 10\.0\.2\.10:80 {2}admitted {2}i-\w+ \(10\.0\.2\.10:80\) → 127\.0\.0\.1:\d+\n#2 .* admitted/);
    assert.match(blocked.log(), /#1 .* refused {2}ENI_SG_RULES_MISMATCH: /);

    // Another process changes the world (the rule for 80 goes): the running listener's next connection is refused.
    writeFileSync(join(d, "lab.yaml"), LAB_NO_80);
    const r2 = spawnSync(process.execPath, [BIN, "--data", d, "apply", join(d, "lab.yaml")], { env: ENV, encoding: "utf8" });
    assert.equal(r2.status, 0, r2.stderr);
    assert.equal((await exchangeRaw(open.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")).data.length, 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.match(open.log(), /#3 .* refused {2}ENI_SG_RULES_MISMATCH: /);
  } finally {
    open.child.kill("SIGTERM");
    blocked.child.kill("SIGTERM");
    await web.close();
  }
});

test("connect: usage mistakes exit 2 with a plain message", async () => {
  const d = world(undefined);
  let r = await vpclab(d, "connect", "--from", "client", WEB_IP);
  assert.equal(r.code, 2);
  assert.match(r.err, /say which port/);
  r = await vpclab(d, "connect", "--from", "nobody", `${WEB_IP}:80`);
  assert.equal(r.code, 2);
  assert.match(r.err, /no instance, network interface or on-premises network named 'nobody'/);
  r = await vpclab(d, "curl", "--from", "client", "https://example.com/");
  assert.equal(r.code, 2);
  assert.match(r.err, /https is not carried/);
});
