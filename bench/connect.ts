// The data plane's cost, measured: throughput and connection latency of `vpclab connect` next to
// a direct loopback connection to the same backend, in the same run, and written to
// bench/results/connect.json. Three processes, as a user has them: this one is the client, the
// backend is a child process (connectBackend.ts), and `vpclab connect` is the real CLI in a
// child process over a data directory holding a small lab (or in this process with
// --in-process). Two workloads: raw bytes (the worst case for a proxy: endpoints that do nothing
// but copy) and HTTP (keep-alive GETs from a node:http server, as users put web servers behind
// it), each through its own `vpclab connect`. Targets: at least 80% of direct throughput, under
// 1 ms added connection latency. Next to both, for raw bytes and latency: a floor, a bare Node
// proxy carrying bytes the same way with nothing of vpclab (connectFloor.ts), which says how much
// of the cost is any Node proxy's on this machine and how much is vpclab's own.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { applyLab } from "../src/lab/apply.js";
import { BACKEND_TAG } from "../src/model/backends.js";
import { World } from "../src/model/world.js";
import { replayEntry } from "../src/server/engine.js";
import { SqliteStore } from "../src/state/sqlite.js";
import { projectRoot } from "./common.js";
import { BODIES, bulk, fetchMany, firstByte } from "./connectWire.js";

const LAB = `
region: ap-northeast-2
seed: bench-connect
vpcs: { bench-vpc: { cidr: 10.0.0.0/16 } }
subnets:
  a: { vpc: bench-vpc, cidr: 10.0.1.0/24, az: ap-northeast-2a }
  b: { vpc: bench-vpc, cidr: 10.0.2.0/24, az: ap-northeast-2a }
securityGroups:
  client-sg: { vpc: bench-vpc }
  backend-sg: { vpc: bench-vpc, ingress: [{ protocol: tcp, port: 80, cidr: 10.0.1.0/24 }, { protocol: tcp, port: 8080, cidr: 10.0.1.0/24 }] }
instances:
  client: { subnet: a, privateIp: 10.0.1.10, securityGroups: [client-sg] }
  backend: { subnet: b, privateIp: 10.0.2.10, securityGroups: [backend-sg] }
`;

const MiB = 1 << 20;
const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;
const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface ThroughputCase {
  direction: "upload" | "download";
  connections: number;
  directMiBps: number[];
  proxiedMiBps: number[];
  floorMiBps: number[];
  cpuMsPerGiB: { direct: Record<string, number>; proxied: Record<string, number>; floor: Record<string, number> };
}

/** CPU time (user + system) of this process and some children, summed over the calls to during(). */
class Cpu {
  private readonly total: Record<string, number> = { client: 0 };

  constructor(private readonly pids: Record<string, number>) {
    for (const name of Object.keys(pids)) this.total[name] = 0;
  }

  /** A process's CPU milliseconds so far, from /proc (Linux; 0 elsewhere). */
  private static of(pid: number): number {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
    } catch {
      return 0;
    }
  }

  async during<T>(fn: () => Promise<T>): Promise<T> {
    const self = process.cpuUsage();
    const before = Object.fromEntries(Object.entries(this.pids).map(([k, pid]) => [k, Cpu.of(pid)]));
    const out = await fn();
    const used = process.cpuUsage(self);
    this.total["client"]! += (used.user + used.system) / 1000;
    for (const [k, pid] of Object.entries(this.pids)) this.total[k]! += Cpu.of(pid) - before[k]!;
    return out;
  }

  /** CPU milliseconds per unit of work (a GiB moved, a thousand connections); the proxy's only when it was in the path. */
  per(units: number, proxied: boolean): Record<string, number> {
    return Object.fromEntries(Object.entries(this.total).filter(([k]) => proxied || k !== "proxy").map(([k, ms]) => [k, Math.round(ms / units)]));
  }
}

interface HttpCase {
  path: string;
  connections: number;
  direct: { requestsPerSecond: number; MiBps: number }[];
  proxied: { requestsPerSecond: number; MiBps: number }[];
  cpuMsPerGiB: { direct: Record<string, number>; proxied: Record<string, number> };
}

/** Starts a child and resolves with the ports it prints: the backend's "port N http M", the floor's "port N", the CLI's "listening on 127.0.0.1:N". */
function child(args: string[], logFile?: string): Promise<{ proc: ChildProcess; port: number; httpPort: number }> {
  const stderr = logFile ? openSync(logFile, "w") : "inherit";
  const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", stderr] });
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /^port (\d+)(?: http (\d+))?$|listening on 127\.0\.0\.1:(\d+)/m.exec(out);
      if (m) resolve({ proc, port: Number(m[1] ?? m[3]), httpPort: Number(m[2] ?? 0) });
    });
    proc.once("exit", (code) => reject(new Error(`${args.join(" ")} exited ${code}: ${out}`)));
  });
}

async function main(): Promise<void> {
  const { values: o } = parseArgs({
    options: {
      mib: { type: "string" }, parallel: { type: "string" }, connections: { type: "string" },
      warmup: { type: "string" }, rounds: { type: "string" }, "in-process": { type: "boolean" }, out: { type: "string" },
      "http-mib": { type: "string" },
    },
  });
  const mib = Number(o.mib ?? 256);
  const parallel = Number(o.parallel ?? 4);
  const connections = Number(o.connections ?? 2000);
  const warmup = Number(o.warmup ?? 200);
  const rounds = Number(o.rounds ?? 5);
  const httpMib = Number(o["http-mib"] ?? 256);
  const loadBefore = round(os.loadavg()[0]!, 2);
  const children: ChildProcess[] = [];
  const tmp = mkdtempSync(path.join(os.tmpdir(), "vpclab-bench-connect-"));
  const cleanup = (): void => {
    for (const c of children) c.kill("SIGTERM");
    rmSync(tmp, { recursive: true, force: true });
  };
  process.once("SIGINT", () => { cleanup(); process.exit(130); });
  try {
    const backend = await child([new URL("./connectBackend.js", import.meta.url).pathname]);
    children.push(backend.proc);
    let world = applyLab(new World(), LAB, "bench.yaml").world;
    const inst = [...world.instances.values()].find((i) => i.privateIpAddress === "10.0.2.10")!;
    inst.tags.push({ key: BACKEND_TAG, value: `80=127.0.0.1:${backend.port},8080=127.0.0.1:${backend.httpPort}` });
    const store = new SqliteStore(tmp, replayEntry);
    store.save(world);
    world = store.load();
    // One `vpclab connect` per workload: raw bytes to port 80, HTTP to port 8080.
    const startOne = async (port: number, logFile: string): Promise<{ port: number; pid?: number; close(): Promise<void> }> => {
      if (o["in-process"]) {
        // The same code the CLI runs, without its process: for profiling (node --cpu-prof).
        const { plannerFor } = await import("../src/cli/flow.js");
        const { startProxy } = await import("../src/live/proxy.js");
        const { planner } = plannerFor(store, "client", { ip: "10.0.2.10", port });
        const lines: string[] = [];
        const proxy = await startProxy({ host: "127.0.0.1", port: 0, planner, log: (l) => lines.push(l) });
        return { port: proxy.port, close: async () => { await proxy.close(); writeFileSync(logFile, `${lines.join("\n")}\n`); } };
      }
      const cli = path.join(projectRoot(), "dist", "src", "cli", "main.js");
      const proxy = await child([cli, "--data", tmp, "connect", "--from", "client", `10.0.2.10:${port}`], logFile);
      children.push(proxy.proc);
      return { port: proxy.port, pid: proxy.proc.pid!, close: () => Promise.resolve() };
    };
    const logFile = path.join(tmp, "connect.log");
    const httpLogFile = path.join(tmp, "connect-http.log");
    const rawProxy = await startOne(80, logFile);
    const httpProxy = await startOne(8080, httpLogFile);
    const proxyPort = rawProxy.port;
    const direct = backend.port;
    const floor = await child([new URL("./connectFloor.js", import.meta.url).pathname, String(backend.port)]);
    children.push(floor.proc);
    console.log(`backend on 127.0.0.1:${direct} (HTTP ${backend.httpPort}); vpclab connect on 127.0.0.1:${proxyPort} (HTTP ${httpProxy.port})${o["in-process"] ? " (in process)" : ""}; floor proxy on 127.0.0.1:${floor.port}`);

    // Throughput: per case, alternate direct, proxied and floor, so that drift in the machine's
    // load hits all alike; CPU time per GiB of each process says where the time goes.
    const procs = { backend: backend.proc.pid!, ...(rawProxy.pid !== undefined ? { proxy: rawProxy.pid } : {}) };
    const floorProcs = { backend: backend.proc.pid!, proxy: floor.proc.pid! };
    const cases: ThroughputCase[] = [];
    for (const direction of ["upload", "download"] as const) {
      for (const n of [1, parallel]) {
        for (const port of [direct, proxyPort, floor.port]) await bulk(port, 16 * MiB, n, direction);
        const c: ThroughputCase = { direction, connections: n, directMiBps: [], proxiedMiBps: [], floorMiBps: [], cpuMsPerGiB: { direct: {}, proxied: {}, floor: {} } };
        const cpu = { direct: new Cpu(procs), proxied: new Cpu(procs), floor: new Cpu(floorProcs) };
        for (let r = 0; r < rounds; r++) {
          c.directMiBps.push(await cpu.direct.during(() => bulk(direct, mib * MiB, n, direction)));
          c.proxiedMiBps.push(await cpu.proxied.during(() => bulk(proxyPort, mib * MiB, n, direction)));
          c.floorMiBps.push(await cpu.floor.during(() => bulk(floor.port, mib * MiB, n, direction)));
        }
        const gib = (rounds * mib) / 1024;
        c.cpuMsPerGiB = { direct: cpu.direct.per(gib, false), proxied: cpu.proxied.per(gib, true), floor: cpu.floor.per(gib, true) };
        cases.push(c);
        const runs = (xs: number[]): string => xs.map((x) => round(x, 0)).join(", ");
        console.log(`  ${direction} over ${n} connection${n > 1 ? "s" : ""}: direct ${runs(c.directMiBps)} MiB/s; proxied ${runs(c.proxiedMiBps)} MiB/s; floor ${runs(c.floorMiBps)} MiB/s`);
      }
    }

    // HTTP: keep-alive GETs of a 64 KiB and a 1 MiB body over 1 and `parallel` connections,
    // direct and proxied in alternation, `httpMib` MiB of bodies per run.
    const httpProcs = { backend: backend.proc.pid!, ...(httpProxy.pid !== undefined ? { proxy: httpProxy.pid } : {}) };
    const httpCases: HttpCase[] = [];
    for (const urlPath of Object.keys(BODIES)) {
      const requests = Math.max(1, Math.round((httpMib * MiB) / BODIES[urlPath]!));
      for (const n of [1, parallel]) {
        await fetchMany(backend.httpPort, urlPath, Math.ceil(requests / 8), n);
        await fetchMany(httpProxy.port, urlPath, Math.ceil(requests / 8), n);
        const c: HttpCase = { path: urlPath, connections: n, direct: [], proxied: [], cpuMsPerGiB: { direct: {}, proxied: {} } };
        const cpu = { direct: new Cpu(httpProcs), proxied: new Cpu(httpProcs) };
        for (let r = 0; r < rounds; r++) {
          c.direct.push(await cpu.direct.during(() => fetchMany(backend.httpPort, urlPath, requests, n)));
          c.proxied.push(await cpu.proxied.during(() => fetchMany(httpProxy.port, urlPath, requests, n)));
        }
        const gib = (rounds * requests * BODIES[urlPath]!) / (1 << 30);
        c.cpuMsPerGiB = { direct: cpu.direct.per(gib, false), proxied: cpu.proxied.per(gib, true) };
        httpCases.push(c);
        console.log(`  HTTP GET ${urlPath} over ${n} connection${n > 1 ? "s" : ""}: direct ${c.direct.map((x) => round(x.requestsPerSecond, 0)).join(", ")} req/s; proxied ${c.proxied.map((x) => round(x.requestsPerSecond, 0)).join(", ")} req/s`);
      }
    }

    // Connection latency: connect, one byte there, one byte back; in blocks of 100, alternating.
    const lat = { direct: [] as number[], proxied: [] as number[], floor: [] as number[] };
    for (let i = 0; i < warmup; i++) { await firstByte(direct); await firstByte(proxyPort); await firstByte(floor.port); }
    const connCpu = new Cpu(procs);
    const floorConnCpu = new Cpu(floorProcs);
    for (let block = 0; block < connections / 100; block++) {
      for (let i = 0; i < 100; i++) lat.direct.push(await firstByte(direct));
      await connCpu.during(async () => {
        for (let i = 0; i < 100; i++) lat.proxied.push(await firstByte(proxyPort));
      });
      await floorConnCpu.during(async () => {
        for (let i = 0; i < 100; i++) lat.floor.push(await firstByte(floor.port));
      });
    }
    // CPU microseconds per proxied connection, each process (the proxy's own work: accept, trace, connect, log, close).
    const cpuUsPerConnection = connCpu.per(connections / 1000, true);
    const floorCpuUsPerConnection = floorConnCpu.per(connections / 1000, true);
    await rawProxy.close();
    await httpProxy.close();
    const admittedIn = (file: string): number => readFileSync(file, "utf8").split("\n").filter((l) => l.includes(" admitted ")).length;

    const sd = [...lat.direct].sort((a, b) => a - b);
    const sp = [...lat.proxied].sort((a, b) => a - b);
    const sf = [...lat.floor].sort((a, b) => a - b);
    /**
     * The most the proxied arrangement could move with the CPU it spends per GiB (this run's
     * figures), as a share of the direct throughput measured: all cores busy with the three
     * processes (cores / the sum of their CPU per GiB), and no process beyond one core (each is
     * one thread, its system calls included). Only with the proxy's CPU measured (not --in-process).
     */
    const cores = os.cpus().length;
    const ceiling = (cpu: Record<string, number>, directMiBps: number): number | undefined => {
      if (cpu["proxy"] === undefined) return undefined;
      const ms = Object.values(cpu);
      const gibPerSecond = Math.min(cores / (ms.reduce((a, b) => a + b, 0) / 1000), 1000 / Math.max(...ms));
      return round((gibPerSecond * 1024) / directMiBps, 2);
    };
    const summary = cases.map((c) => ({
      direction: c.direction, connections: c.connections,
      directMiBps: round(median(c.directMiBps), 0), proxiedMiBps: round(median(c.proxiedMiBps), 0),
      ratio: round(median(c.proxiedMiBps) / median(c.directMiBps), 3),
      cpuCeilingRatio: ceiling(c.cpuMsPerGiB.proxied, median(c.directMiBps)),
      floorMiBps: round(median(c.floorMiBps), 0), floorRatio: round(median(c.floorMiBps) / median(c.directMiBps), 3),
      runsDirect: c.directMiBps.map((x) => round(x, 0)), runsProxied: c.proxiedMiBps.map((x) => round(x, 0)), runsFloor: c.floorMiBps.map((x) => round(x, 0)),
      cpuMsPerGiB: c.cpuMsPerGiB,
    }));
    const httpSummary = httpCases.map((c) => {
      const rps = median(c.direct.map((x) => x.requestsPerSecond));
      const prps = median(c.proxied.map((x) => x.requestsPerSecond));
      return {
        path: c.path, bodyBytes: BODIES[c.path]!, connections: c.connections,
        direct: { requestsPerSecond: round(rps, 0), MiBps: round((rps * BODIES[c.path]!) / MiB, 0) },
        proxied: { requestsPerSecond: round(prps, 0), MiBps: round((prps * BODIES[c.path]!) / MiB, 0) },
        ratio: round(prps / rps, 3),
        cpuCeilingRatio: ceiling(c.cpuMsPerGiB.proxied, (rps * BODIES[c.path]!) / MiB),
        runsDirect: c.direct.map((x) => round(x.requestsPerSecond, 0)), runsProxied: c.proxied.map((x) => round(x.requestsPerSecond, 0)),
        cpuMsPerGiB: c.cpuMsPerGiB,
      };
    });
    const added = { p50: round(pct(sp, 50) - pct(sd, 50), 3), p99: round(pct(sp, 99) - pct(sd, 99), 3) };
    const result = {
      benchmark: "connect",
      date: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cores: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      loadAverage1m: { before: loadBefore, after: round(os.loadavg()[0]!, 2) },
      arrangement: o["in-process"] ? "client and proxy in the benchmark's process, backend in a child" : "client (the benchmark's process), backend, `vpclab connect` (one for raw bytes, one for HTTP) and the floor proxy each in its own process",
      throughput: { mibPerRun: mib, rounds, cases: summary },
      http: { mibPerRun: httpMib, rounds, keepAlive: true, cases: httpSummary },
      latencyMs: {
        connections, warmup,
        direct: { p50: round(pct(sd, 50), 3), p99: round(pct(sd, 99), 3) },
        proxied: { p50: round(pct(sp, 50), 3), p99: round(pct(sp, 99), 3) },
        added,
        floor: { p50: round(pct(sf, 50), 3), p99: round(pct(sf, 99), 3) },
        addedByFloor: { p50: round(pct(sf, 50) - pct(sd, 50), 3), p99: round(pct(sf, 99) - pct(sd, 99), 3) },
        cpuUsPerProxiedConnection: cpuUsPerConnection,
        cpuUsPerFloorConnection: floorCpuUsPerConnection,
      },
      proxyLog: {
        raw: { admitted: admittedIn(logFile), expected: cases.reduce((a, c) => a + (rounds + 1) * c.connections, 0) + warmup + connections },
        // One connection per keep-alive socket per run (an agent each run).
        http: { admitted: admittedIn(httpLogFile), expected: httpCases.reduce((a, c) => a + (rounds + 1) * c.connections, 0) },
      },
      targets: { throughputRatio: 0.8, addedLatencyMs: 1 },
      pass: {
        ...Object.fromEntries(summary.map((c) => [`throughput ${c.direction} x${c.connections}`, c.ratio >= 0.8])),
        ...Object.fromEntries(httpSummary.map((c) => [`http GET ${c.path} x${c.connections}`, c.ratio >= 0.8])),
        latencyP50: added.p50 < 1, latencyP99: added.p99 < 1,
      },
    };
    const outFile = o.out ?? path.join(projectRoot(), "bench", "results", "connect.json");
    mkdirSync(path.dirname(outFile), { recursive: true });
    writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
    console.log("");
    for (const c of summary) {
      console.log(`throughput, ${c.direction} over ${c.connections}: direct ${c.directMiBps} MiB/s, via vpclab connect ${c.proxiedMiBps} MiB/s: ${Math.round(c.ratio * 100)}% (target 80%; CPU ceiling on ${cores} cores ${c.cpuCeilingRatio === undefined ? "?" : `${Math.round(c.cpuCeilingRatio * 100)}%`})`);
    }
    for (const c of httpSummary) {
      console.log(`HTTP GET ${c.path} over ${c.connections} (keep-alive): direct ${c.direct.requestsPerSecond} req/s (${c.direct.MiBps} MiB/s), via vpclab connect ${c.proxied.requestsPerSecond} req/s (${c.proxied.MiBps} MiB/s): ${Math.round(c.ratio * 100)}% (CPU ceiling ${c.cpuCeilingRatio === undefined ? "?" : `${Math.round(c.cpuCeilingRatio * 100)}%`})`);
    }
    console.log(`connection latency p50: direct ${result.latencyMs.direct.p50} ms, proxied ${result.latencyMs.proxied.p50} ms: +${added.p50} ms (target < 1 ms)`);
    console.log(`connection latency p99: direct ${result.latencyMs.direct.p99} ms, proxied ${result.latencyMs.proxied.p99} ms: +${added.p99} ms`);
    console.log(`floor (a bare Node proxy): ${summary.map((c) => `${c.direction} x${c.connections} ${Math.round(c.floorRatio * 100)}%`).join(", ")}; latency +${result.latencyMs.addedByFloor.p50} ms p50, +${result.latencyMs.addedByFloor.p99} ms p99`);
    console.log(`${Object.values(result.pass).every(Boolean) ? "all targets met" : "some targets missed"}; wrote ${path.relative(process.cwd(), outFile) || outFile}`);
  } finally {
    cleanup();
  }
}

void main().catch((e: unknown) => {
  console.error((e as Error).stack ?? String(e));
  process.exit(1);
});
