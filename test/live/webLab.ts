// A small world for the live data plane's tests: a client instance and a web instance in one
// VPC, the web security group admitting port 80 from the VPC only, and real local servers to
// stand behind the web instance (an HTTP page, an echo server).
import { spawn } from "node:child_process";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { applyLab } from "../../src/lab/apply.js";
import { BACKEND_TAG } from "../../src/model/backends.js";
import { World } from "../../src/model/world.js";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BIN = join(ROOT, "dist/src/cli/main.js");

export const PAGE = "<html><h1>Endpoint Service Web Server 1</h1></html>";
export const WEB_IP = "10.0.2.10";
export const OTHER_IP = "10.0.2.11";

export const LAB = `
region: ap-northeast-2
seed: live
vpcs:
  live-vpc: { cidr: 10.0.0.0/16, dnsSupport: true, dnsHostnames: true }
subnets:
  client-subnet: { vpc: live-vpc, cidr: 10.0.1.0/24, az: ap-northeast-2a }
  web-subnet: { vpc: live-vpc, cidr: 10.0.2.0/24, az: ap-northeast-2a }
securityGroups:
  client-sg: { vpc: live-vpc }
  web-sg:
    vpc: live-vpc
    ingress:
      - { protocol: tcp, port: 80, cidr: 10.0.0.0/16 }
      - { protocol: tcp, port: 7, cidr: 10.0.0.0/16 }
instances:
  client: { subnet: client-subnet, privateIp: 10.0.1.10, securityGroups: [client-sg] }
  web: { subnet: web-subnet, privateIp: ${WEB_IP}, securityGroups: [web-sg] }
  untagged: { subnet: web-subnet, privateIp: ${OTHER_IP}, securityGroups: [web-sg] }
`;

/** The same lab with web-sg admitting nothing on 80 (7 stays open). */
export const LAB_NO_80 = LAB.replace("      - { protocol: tcp, port: 80, cidr: 10.0.0.0/16 }\n", "");

export function labWorld(text = LAB): World {
  return applyLab(new World(), text, "live.yaml").world;
}

/** Sets the web instance's vpclab:backend tag (replacing any earlier one). */
export function tagWeb(world: World, value: string): void {
  const inst = [...world.instances.values()].find((i) => i.privateIpAddress === WEB_IP)!;
  inst.tags = [...inst.tags.filter((t) => t.key !== BACKEND_TAG), { key: BACKEND_TAG, value }];
  world.version++;
}

export interface Served<T> { server: T; address: string; port: number; close(): Promise<void> }

async function listen<T extends net.Server>(server: T): Promise<Served<T>> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    server, port, address: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    }),
  };
}

/** The lab's web server: the page on GET, the request echoed as JSON on /echo. */
export function webServer(): Promise<Served<http.Server>> {
  return listen(http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url?.startsWith("/echo")) {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ method: req.method, url: req.url, host: req.headers.host, headers: req.headers, body: Buffer.concat(chunks).toString() }));
        return;
      }
      if (req.url === "/missing") {
        res.statusCode = 404;
        res.end("not here\n");
        return;
      }
      res.setHeader("content-type", "text/html");
      res.end(PAGE);
    });
  }));
}

/** Echoes every byte; answers its client's FIN with "bye" and its own FIN (to test half-close). */
export function echoServer(): Promise<Served<net.Server> & { sockets: Set<net.Socket> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => s.destroy());
    s.on("data", (c: Buffer) => s.write(c));
    s.on("end", () => s.end("bye"));
  });
  return listen(server).then((l) => ({
    ...l, sockets,
    close: () => {
      for (const s of sockets) s.destroy();
      return l.close();
    },
  }));
}

/** Everything a TCP client receives until the connection ends, after sending `send` and (optionally) its FIN. */
export function exchangeRaw(port: number, send: Buffer | string, halfClose = true): Promise<{ data: Buffer; error?: string }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = net.connect({ host: "127.0.0.1", port, allowHalfOpen: halfClose }, () => {
      s.write(send);
      if (halfClose) s.end();
    });
    s.on("data", (c: Buffer) => chunks.push(c));
    let error: string | undefined;
    s.on("error", (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    s.on("close", () => resolve({ data: Buffer.concat(chunks), ...(error ? { error } : {}) }));
  });
}

/** Runs the vpclab program asynchronously: a web server answering the child lives in the test's own event loop. */
export function vpclabAsync(data: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "--data", data, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, out, err }));
  });
}
