// The connect benchmark's two ends. The backend: a connection that opens with "d" and a 64-bit
// count is sent that many bytes (download); any other is a sink (upload): its first bytes are
// acknowledged with one byte, the rest counted, and the client's FIN answered with the count.
// The client's measurements: bulk throughput either way over one or several connections, and
// connect-to-first-byte time. And a web server with the same client's side: keep-alive GETs of
// a fixed-size body, as a browser or an API client fetches through the proxy.
import http from "node:http";
import net from "node:net";

const CHUNK = Buffer.alloc(1 << 20, 0x61);

/** Listens on a free loopback port; runs until the process ends. */
export function serveBackend(): Promise<number> {
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (s) => {
    let count = 0;
    let head = Buffer.alloc(0);
    s.on("error", () => s.destroy());
    s.on("data", (c: Buffer) => {
      if (count === 0 && (head.length > 0 || c[0] === 0x64)) {
        head = Buffer.concat([head, c]);
        if (head.length >= 9) void source(s, Number(head.readBigUInt64BE(1)));
        return;
      }
      if (count === 0) s.write("k");
      count += c.length;
    });
    s.on("end", () => {
      const n = Buffer.alloc(8);
      n.writeBigUInt64BE(BigInt(count));
      s.end(n);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));
}

/** Writes `bytes` to the socket as fast as it takes them, then ends it. */
function source(s: net.Socket, bytes: number): void {
  let sent = 0;
  const pump = (): void => {
    while (sent < bytes) {
      const piece = bytes - sent >= CHUNK.length ? CHUNK : CHUNK.subarray(0, bytes - sent);
      sent += piece.length;
      if (!s.write(piece)) return void s.once("drain", pump);
    }
    s.end();
  };
  pump();
}

/** Asks for `bytes` and reads them (into one reused buffer, as an efficient client does); resolves with the seconds taken. */
function receive(port: number, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let got = 0;
    const s = net.connect({ host: "127.0.0.1", port, noDelay: true, onread: { buffer: Buffer.allocUnsafe(64 * 1024), callback: (n) => { got += n; return true; } } });
    s.once("connect", () => {
      const ask = Buffer.alloc(9);
      ask[0] = 0x64;
      ask.writeBigUInt64BE(BigInt(bytes), 1);
      s.write(ask);
    });
    s.on("error", reject);
    s.on("end", () => {
      if (got !== bytes) return reject(new Error(`received ${got} bytes of ${bytes}`));
      resolve(Number(process.hrtime.bigint() - t0) / 1e9);
    });
  });
}

/** Sends `bytes` over one connection and waits for the backend's count; resolves with the seconds taken. */
function send(port: number, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const s = net.connect({ host: "127.0.0.1", port, noDelay: true, allowHalfOpen: true });
    s.once("connect", () => source(s, bytes));
    const got: Buffer[] = [];
    s.on("data", (c: Buffer) => got.push(c));
    s.on("error", reject);
    s.on("end", () => {
      const all = Buffer.concat(got);
      const count = all.length >= 9 ? Number(all.readBigUInt64BE(all.length - 8)) : -1;
      if (all.toString("latin1", 0, 1) !== "k" || count !== bytes) return reject(new Error(`the backend counted ${count} bytes of ${bytes}`));
      resolve(Number(process.hrtime.bigint() - t0) / 1e9);
    });
  });
}

/** MiB/s moving `total` bytes split over `n` simultaneous connections, from the first connect to the last count. */
export async function bulk(port: number, total: number, n: number, direction: "upload" | "download"): Promise<number> {
  const t0 = process.hrtime.bigint();
  const one = direction === "upload" ? send : receive;
  await Promise.all(Array.from({ length: n }, () => one(port, Math.floor(total / n))));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return (Math.floor(total / n) * n) / (1 << 20) / seconds;
}

/** Milliseconds from connect() to the first byte back after sending one; the connection is then closed cleanly. */
export function firstByte(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let ms = -1;
    const s = net.connect({ host: "127.0.0.1", port, noDelay: true });
    s.once("connect", () => s.write("x"));
    s.once("data", () => {
      ms = Number(process.hrtime.bigint() - t0) / 1e6;
      s.end();
    });
    s.on("data", () => undefined);
    s.on("error", reject);
    s.on("close", () => (ms < 0 ? reject(new Error("closed before the first byte")) : resolve(ms)));
  });
}

/** The bodies the web server serves: GET /64k, GET /1m. */
export const BODIES: Record<string, number> = { "/64k": 64 * 1024, "/1m": 1 << 20 };

/** A node:http server answering GET /64k and /1m with that many bytes (keep-alive, as Node's server does by default). */
export function serveHttp(): Promise<number> {
  const bodies = new Map(Object.entries(BODIES).map(([p, n]) => [p, Buffer.alloc(n, 0x62)]));
  const server = http.createServer((req, res) => {
    const body = bodies.get(req.url ?? "");
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));
}

/**
 * `requests` GETs of `urlPath`, over `n` keep-alive connections each fetching one after another
 * (an http.Agent of n sockets, as a client library keeps them), bodies read as 'data' events;
 * resolves with requests per second and MiB/s of body, from the first request to the last body.
 */
export async function fetchMany(port: number, urlPath: string, requests: number, n: number): Promise<{ requestsPerSecond: number; MiBps: number }> {
  const size = BODIES[urlPath]!;
  const agent = new http.Agent({ keepAlive: true, maxSockets: n });
  let left = requests;
  const one = (): Promise<void> => new Promise((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path: urlPath, agent }, (res) => {
      let got = 0;
      res.on("data", (c: Buffer) => (got += c.length));
      res.on("end", () => (res.statusCode === 200 && got === size ? resolve() : reject(new Error(`GET ${urlPath}: ${res.statusCode} with ${got} bytes of ${size}`))));
      res.on("error", reject);
    }).on("error", reject);
  });
  const loop = async (): Promise<void> => {
    while (left > 0) {
      left--;
      await one();
    }
  };
  const t0 = process.hrtime.bigint();
  try {
    await Promise.all(Array.from({ length: n }, loop));
  } finally {
    agent.destroy();
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { requestsPerSecond: requests / seconds, MiBps: (requests * size) / (1 << 20) / seconds };
}
