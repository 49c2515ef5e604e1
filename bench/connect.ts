// The data plane's cost, measured: throughput and connection latency of `vpclab connect` next to
// a direct loopback connection to the same backend, in the same run, and written to
// bench/results/connect.json. Three processes, as a user has them: this one is the client, the
// backend is a child process (connectBackend.ts), and `vpclab connect` is the real CLI in a
// child process over a data directory holding a small lab (or in this process with
// --in-process). Targets: at least 80% of direct throughput, under 1 ms added connection latency.
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
import { bulk, firstByte } from "./connectWire.js";

const LAB = `
region: ap-northeast-2
seed: bench-connect
vpcs: { bench-vpc: { cidr: 10.0.0.0/16 } }
subnets:
  a: { vpc: bench-vpc, cidr: 10.0.1.0/24, az: ap-northeast-2a }
  b: { vpc: bench-vpc, cidr: 10.0.2.0/24, az: ap-northeast-2a }
securityGroups:
  client-sg: { vpc: bench-vpc }
  backend-sg: { vpc: bench-vpc, ingress: [{ protocol: tcp, port: 80, cidr: 10.0.1.0/24 }] }
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
  cpuMsPerGiB: { direct: Record<string, number>; proxied: Record<string, number> };
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

/** Starts a child and resolves with the port it prints ("port N"). */
function child(args: string[], logFile?: string): Promise<{ proc: ChildProcess; port: number }> {
  const stderr = logFile ? openSync(logFile, "w") : "inherit";
  const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", stderr] });
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /(?:^port |listening on 127\.0\.0\.1:)(\d+)/m.exec(out);
      if (m) resolve({ proc, port: Number(m[1]) });
    });
    proc.once("exit", (code) => reject(new Error(`${args.join(" ")} exited ${code}: ${out}`)));
  });
}

async function main(): Promise<void> {
  const { values: o } = parseArgs({
    options: {
      mib: { type: "string" }, parallel: { type: "string" }, connections: { type: "string" },
      warmup: { type: "string" }, rounds: { type: "string" }, "in-process": { type: "boolean" }, out: { type: "string" },
    },
  });
  const mib = Number(o.mib ?? 256);
  const parallel = Number(o.parallel ?? 4);
  const connections = Number(o.connections ?? 2000);
  const warmup = Number(o.warmup ?? 200);
  const rounds = Number(o.rounds ?? 5);
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
    inst.tags.push({ key: BACKEND_TAG, value: `127.0.0.1:${backend.port}` });
    const store = new SqliteStore(tmp, replayEntry);
    store.save(world);
    world = store.load();
    let proxyPort: number;
    let closeProxy = (): Promise<void> => Promise.resolve();
    let proxyPid: number | undefined;
    const logFile = path.join(tmp, "connect.log");
    if (o["in-process"]) {
      // The same code the CLI runs, without its process: for profiling (node --cpu-prof).
      const { plannerFor } = await import("../src/cli/flow.js");
      const { startProxy } = await import("../src/live/proxy.js");
      const { planner } = plannerFor(store, "client", { ip: "10.0.2.10", port: 80 });
      const lines: string[] = [];
      const proxy = await startProxy({ host: "127.0.0.1", port: 0, planner, log: (l) => lines.push(l) });
      proxyPort = proxy.port;
      closeProxy = async () => { await proxy.close(); writeFileSync(logFile, `${lines.join("\n")}\n`); };
    } else {
      const cli = path.join(projectRoot(), "dist", "src", "cli", "main.js");
      const proxy = await child([cli, "--data", tmp, "connect", "--from", "client", "10.0.2.10:80"], logFile);
      children.push(proxy.proc);
      proxyPort = proxy.port;
      proxyPid = proxy.proc.pid;
    }
    const direct = backend.port;
    console.log(`backend on 127.0.0.1:${direct}; vpclab connect on 127.0.0.1:${proxyPort}${o["in-process"] ? " (in process)" : ""}`);

    // Throughput: per case, alternate direct and proxied, so that drift in the machine's load
    // hits both alike; CPU time per GiB of each process says where the time goes.
    const procs = { backend: backend.proc.pid!, ...(proxyPid !== undefined ? { proxy: proxyPid } : {}) };
    const cases: ThroughputCase[] = [];
    for (const direction of ["upload", "download"] as const) {
      for (const n of [1, parallel]) {
        await bulk(direct, 16 * MiB, n, direction);
        await bulk(proxyPort, 16 * MiB, n, direction);
        const c: ThroughputCase = { direction, connections: n, directMiBps: [], proxiedMiBps: [], cpuMsPerGiB: { direct: {}, proxied: {} } };
        const cpu = { direct: new Cpu(procs), proxied: new Cpu(procs) };
        for (let r = 0; r < rounds; r++) {
          c.directMiBps.push(await cpu.direct.during(() => bulk(direct, mib * MiB, n, direction)));
          c.proxiedMiBps.push(await cpu.proxied.during(() => bulk(proxyPort, mib * MiB, n, direction)));
        }
        const gib = (rounds * mib) / 1024;
        c.cpuMsPerGiB = { direct: cpu.direct.per(gib, false), proxied: cpu.proxied.per(gib, true) };
        cases.push(c);
        console.log(`  ${direction} over ${n} connection${n > 1 ? "s" : ""}: direct ${c.directMiBps.map((x) => round(x, 0)).join(", ")} MiB/s; proxied ${c.proxiedMiBps.map((x) => round(x, 0)).join(", ")} MiB/s`);
      }
    }

    // Connection latency: connect, one byte there, one byte back; in blocks of 100, alternating.
    const lat = { direct: [] as number[], proxied: [] as number[] };
    for (let i = 0; i < warmup; i++) { await firstByte(direct); await firstByte(proxyPort); }
    const connCpu = new Cpu(procs);
    for (let block = 0; block < connections / 100; block++) {
      for (let i = 0; i < 100; i++) lat.direct.push(await firstByte(direct));
      await connCpu.during(async () => {
        for (let i = 0; i < 100; i++) lat.proxied.push(await firstByte(proxyPort));
      });
    }
    // CPU microseconds per proxied connection, each process (the proxy's own work: accept, trace, connect, log, close).
    const cpuUsPerConnection = connCpu.per(connections / 1000, true);
    await closeProxy();
    const admitted = readFileSync(logFile, "utf8").split("\n").filter((l) => l.includes(" admitted ")).length;

    const sd = [...lat.direct].sort((a, b) => a - b);
    const sp = [...lat.proxied].sort((a, b) => a - b);
    const summary = cases.map((c) => ({
      direction: c.direction, connections: c.connections,
      directMiBps: round(median(c.directMiBps), 0), proxiedMiBps: round(median(c.proxiedMiBps), 0),
      ratio: round(median(c.proxiedMiBps) / median(c.directMiBps), 3),
      runsDirect: c.directMiBps.map((x) => round(x, 0)), runsProxied: c.proxiedMiBps.map((x) => round(x, 0)),
      cpuMsPerGiB: c.cpuMsPerGiB,
    }));
    const added = { p50: round(pct(sp, 50) - pct(sd, 50), 3), p99: round(pct(sp, 99) - pct(sd, 99), 3) };
    const result = {
      benchmark: "connect",
      date: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cores: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      loadAverage1m: { before: loadBefore, after: round(os.loadavg()[0]!, 2) },
      arrangement: o["in-process"] ? "client and proxy in the benchmark's process, backend in a child" : "client (the benchmark's process), backend and `vpclab connect` each in its own process",
      throughput: { mibPerRun: mib, rounds, cases: summary },
      latencyMs: {
        connections, warmup,
        direct: { p50: round(pct(sd, 50), 3), p99: round(pct(sd, 99), 3) },
        proxied: { p50: round(pct(sp, 50), 3), p99: round(pct(sp, 99), 3) },
        added,
        cpuUsPerProxiedConnection: cpuUsPerConnection,
      },
      proxyLog: { admitted, expected: cases.reduce((a, c) => a + (rounds + 1) * c.connections, 0) + warmup + connections },
      targets: { throughputRatio: 0.8, addedLatencyMs: 1 },
      pass: { ...Object.fromEntries(summary.map((c) => [`throughput ${c.direction} x${c.connections}`, c.ratio >= 0.8])), latencyP50: added.p50 < 1, latencyP99: added.p99 < 1 },
    };
    const outFile = o.out ?? path.join(projectRoot(), "bench", "results", "connect.json");
    mkdirSync(path.dirname(outFile), { recursive: true });
    writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
    console.log("");
    for (const c of summary) {
      console.log(`throughput, ${c.direction} over ${c.connections}: direct ${c.directMiBps} MiB/s, via vpclab connect ${c.proxiedMiBps} MiB/s: ${Math.round(c.ratio * 100)}% (target 80%)`);
    }
    console.log(`connection latency p50: direct ${result.latencyMs.direct.p50} ms, proxied ${result.latencyMs.proxied.p50} ms: +${added.p50} ms (target < 1 ms)`);
    console.log(`connection latency p99: direct ${result.latencyMs.direct.p99} ms, proxied ${result.latencyMs.proxied.p99} ms: +${added.p99} ms`);
    console.log(`${Object.values(result.pass).every(Boolean) ? "all targets met" : "some targets missed"}; wrote ${path.relative(process.cwd(), outFile) || outFile}`);
  } finally {
    cleanup();
  }
}

void main().catch((e: unknown) => {
  console.error((e as Error).stack ?? String(e));
  process.exit(1);
});
