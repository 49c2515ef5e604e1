// The topology benchmark of issue 2 (not a test): builds 1,000 VPCs / 10,000 subnets / 100,000
// instances / 10,000 interface endpoints / 50,000 security-group rules through the control
// operations, then measures build time, memory after a forced GC, NetworkView construction and
// trace latency, and writes the figures to bench/results/.
//
//   npm run bench                                   full size
//   npm run bench -- --scale 0.01                   a hundredth, for a quick smoke run
//   node dist/bench/run.js --traces 5000 --out x.json
//
// Memory is measured after a forced GC, which needs node's --expose-gc: without it the script
// runs itself again under process.execPath with the flag (keeping any other node flags, e.g.
// --cpu-prof).
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs as parseCliArgs } from "node:util";
import { NetworkView } from "../src/analysis/view.js";
import { trace, type TraceRequest } from "../src/analysis/trace.js";
import { APP_PORTS, FULL, PER_VPC, REGION, SEED, type BuildResult, buildTopology, vpcCount } from "./topology.js";
import { projectRoot, rng } from "./common.js";

const CHILD_ENV = "VPCLAB_BENCH_CHILD";

interface Options { scale: number; traces: number; warmup: number; out?: string; quiet: boolean }

function parseArgs(argv: string[]): Options {
  const { values: v } = parseCliArgs({
    args: argv,
    options: { scale: { type: "string" }, traces: { type: "string" }, warmup: { type: "string" }, out: { type: "string" }, quiet: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (v.help) {
    console.log("usage: node dist/bench/run.js [--scale F (0<F<=1, default 1)] [--traces N] [--warmup N] [--out FILE] [--quiet]");
    process.exit(0);
  }
  const opts: Options = { scale: Number(v.scale ?? 1), traces: Number(v.traces ?? 2000), warmup: Number(v.warmup ?? 200), quiet: v.quiet ?? false, ...(v.out !== undefined ? { out: v.out } : {}) };
  if (!(opts.scale > 0 && opts.scale <= 1)) throw new Error("--scale must be a fraction in (0, 1]");
  if (!(Number.isInteger(opts.traces) && opts.traces > 0)) throw new Error("--traces must be a positive integer");
  if (!(Number.isInteger(opts.warmup) && opts.warmup >= 0)) throw new Error("--warmup must be a non-negative integer");
  return opts;
}



function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function median(xs: number[]): number {
  return percentile([...xs].sort((a, b) => a - b), 50);
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));
const mb = (bytes: number): number => round(bytes / (1024 * 1024), 1);

function forceGc(): boolean {
  const gc = globalThis.gc;
  if (typeof gc !== "function") return false;
  gc();
  gc();
  return true;
}

type TraceKind = "instance" | "s3" | "endpoint";
interface Flow { kind: TraceKind; req: TraceRequest }

/** Mixed flows: a third between two instances of a VPC, a third to S3 names, a third to endpoint private DNS names. */
function makeFlows(built: BuildResult, count: number, seed: number): Flow[] {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  // Mostly admitted ports, and some no rule admits (9999), so blocked walks are measured too.
  const ports = [443, 22, ...APP_PORTS, 9999];
  const s3Names = [`s3.${REGION}.amazonaws.com`, `bench-bucket.s3.${REGION}.amazonaws.com`];
  const flows: Flow[] = [];
  for (let i = 0; i < count; i++) {
    const vpc = pick(built.vpcs);
    const src = pick(vpc.instances);
    const from = { kind: "eni" as const, eniId: src.eniId };
    const kind: TraceKind = (["instance", "s3", "endpoint"] as const)[i % 3]!;
    if (kind === "instance") {
      let dst = pick(vpc.instances);
      if (dst === src && vpc.instances.length > 1) dst = pick(vpc.instances.filter((x) => x !== src));
      flows.push({ kind, req: { from, to: { ip: dst.ip, port: pick(ports), protocol: "tcp" } } });
    } else if (kind === "s3") {
      flows.push({ kind, req: { from, to: { host: pick(s3Names), port: 443, protocol: "tcp" } } });
    } else {
      flows.push({ kind, req: { from, to: { host: pick(vpc.endpointNames), port: 443, protocol: "tcp" } } });
    }
  }
  return flows;
}

interface Figure { value: number; unit: string; target: number | null; pass: boolean | null }
function figure(value: number, unit: string, target: number | null): Figure {
  return { value, unit, target, pass: target === null ? null : value < target };
}

interface LatencyStats { count: number; reachable: number; medianMs: number; p90Ms: number; p99Ms: number; maxMs: number }
function latencyStats(samples: { ms: number; reachable: boolean }[]): LatencyStats {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  return {
    count: samples.length,
    reachable: samples.filter((s) => s.reachable).length,
    medianMs: round(percentile(sorted, 50), 4),
    p90Ms: round(percentile(sorted, 90), 4),
    p99Ms: round(percentile(sorted, 99), 4),
    maxMs: round(sorted[sorted.length - 1] ?? NaN, 4),
  };
}

function main(): void {
  if (typeof globalThis.gc !== "function" && process.env[CHILD_ENV] !== "1") {
    const script = process.argv[1]!;
    const child = spawnSync(process.execPath, [...process.execArgv, "--expose-gc", script, ...process.argv.slice(2)], {
      stdio: "inherit",
      env: { ...process.env, [CHILD_ENV]: "1" },
    });
    if (child.error) throw child.error;
    process.exit(child.status ?? 1);
  }

  const opts = parseArgs(process.argv.slice(2));
  const log = (s: string): void => { if (!opts.quiet) console.log(s); };
  const n = vpcCount(opts.scale);
  log(`vpclab topology benchmark: scale ${opts.scale} (${n} VPCs), node ${process.version}, ${os.cpus().length} cores`);

  // Build.
  let lastReport = performance.now();
  const built = buildTopology(opts.scale, (done, total) => {
    if (performance.now() - lastReport >= 10_000 || done === total) {
      lastReport = performance.now();
      log(`  built ${done}/${total} VPCs`);
    }
  });
  const { world } = built;

  // Memory, after a forced GC, with the world alive.
  const gcForced = forceGc();
  const mem = process.memoryUsage();

  // NetworkView construction: three times over the same world (the first is the cold one); the median is the figure.
  const viewMs: number[] = [];
  let view: NetworkView | undefined;
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    view = new NetworkView(world);
    viewMs.push(performance.now() - t);
  }
  if (!view) throw new Error("unreachable");

  // Traces: warm-up flows first (not counted), then the measured ones, on the same view.
  const flows = makeFlows(built, opts.warmup + opts.traces, 20260101);
  const samples: { kind: TraceKind; ms: number; reachable: boolean }[] = [];
  for (const [i, f] of flows.entries()) {
    const t = performance.now();
    const out = trace(view, f.req);
    const ms = performance.now() - t;
    if (i >= opts.warmup) samples.push({ kind: f.kind, ms, reachable: out.reachable });
  }
  const overall = latencyStats(samples);
  const byKind = Object.fromEntries((["instance", "s3", "endpoint"] as const).map((k) => [k, latencyStats(samples.filter((s) => s.kind === k))]));

  // Counts as built.
  const allRules = [...world.securityGroups.values()].reduce((a, g) => a + g.rules.length, 0);
  const counts = {
    vpcs: world.vpcs.size,
    subnets: world.subnets.size,
    instances: world.instances.size,
    interfaceEndpoints: [...world.vpcEndpoints.values()].filter((e) => e.vpcEndpointType === "Interface").length,
    securityGroupRules: built.timer.ops.get("authorize")?.calls ?? 0,
    securityGroupRulesIncludingDefaults: allRules,
    securityGroups: world.securityGroups.size,
    networkInterfaces: world.networkInterfaces.size,
    routeTables: world.routeTables.size,
    internetGateways: world.internetGateways.size,
  };

  const operations = [...built.timer.ops.entries()]
    .map(([name, s]) => ({
      name,
      calls: s.calls,
      totalMs: round(s.totalMs, 1),
      shareOfBuild: round(s.totalMs / built.buildMs, 3),
      meanUs: round((s.totalMs / s.calls) * 1000, 1),
      firstTenthMeanUs: s.firstDecile.calls ? round((s.firstDecile.ms / s.firstDecile.calls) * 1000, 1) : null,
      lastTenthMeanUs: s.lastDecile.calls ? round((s.lastDecile.ms / s.lastDecile.calls) * 1000, 1) : null,
    }))
    .sort((a, b) => b.totalMs - a.totalMs);

  const buildS = round(built.buildMs / 1000, 2);
  const figures = {
    buildSeconds: figure(buildS, "s", 10),
    heapUsedMB: figure(mb(mem.heapUsed), "MB", 2048),
    rssMB: figure(mb(mem.rss), "MB", 2048),
    networkViewMs: figure(round(median(viewMs), 1), "ms", null),
    traceMedianMs: figure(overall.medianMs, "ms", 1),
    traceP90Ms: figure(overall.p90Ms, "ms", null),
    traceP99Ms: figure(overall.p99Ms, "ms", null),
  };
  const targeted = Object.values(figures).filter((f) => f.pass !== null);
  const result = {
    benchmark: "topology",
    issue: 2,
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    totalMemoryMB: mb(os.totalmem()),
    scale: opts.scale,
    seed: SEED,
    region: REGION,
    shape: { perVpc: PER_VPC, fullSize: FULL },
    counts,
    figures,
    pass: targeted.every((f) => f.pass === true),
    notes: [
      "Targets are the issue's full-size targets; at --scale < 1 the pass flags only say the smaller build met them.",
      "Memory target (2 GB) is applied to heap used and to RSS, both after a forced GC with the world alive.",
      "networkViewMs is the median of 3 constructions over the built world.",
      `Trace latency is over ${opts.traces} mixed traces (after ${opts.warmup} unmeasured warm-up traces) on one NetworkView.`,
      ...(gcForced ? [] : ["globalThis.gc was unavailable: memory was measured without a forced GC."]),
    ],
    memory: { heapUsedMB: mb(mem.heapUsed), heapTotalMB: mb(mem.heapTotal), rssMB: mb(mem.rss), externalMB: mb(mem.external), arrayBuffersMB: mb(mem.arrayBuffers), gcForced },
    networkView: { runsMs: viewMs.map((x) => round(x, 1)) },
    traces: { warmup: opts.warmup, ...overall, byKind },
    build: {
      seconds: buildS,
      perTenthOfVpcsMs: built.decileMs.map((x) => round(x, 1)),
      operations,
    },
  };

  const outFile = opts.out ?? path.join(projectRoot(), "bench", "results", opts.scale === 1 ? "topology.json" : `topology-scale-${opts.scale}.json`);
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);

  // A short summary for people.
  const mark = (f: Figure): string => (f.pass === null ? "" : f.pass ? "  PASS" : "  FAIL");
  const line = (label: string, f: Figure, extra = ""): string => `  ${label.padEnd(22)} ${String(f.value).padStart(10)} ${f.unit.padEnd(3)}${f.target === null ? "" : ` (target < ${f.target} ${f.unit})`}${mark(f)}${extra}`;
  console.log("");
  console.log(`built ${counts.vpcs} VPCs, ${counts.subnets} subnets, ${counts.instances} instances, ${counts.interfaceEndpoints} interface endpoints, ${counts.securityGroupRules} security-group rules`);
  console.log(line("build", figures.buildSeconds));
  console.log(line("heap used after GC", figures.heapUsedMB));
  console.log(line("RSS after GC", figures.rssMB));
  console.log(line("NetworkView", figures.networkViewMs));
  console.log(line("trace median", figures.traceMedianMs, `  (${overall.count} traces, ${overall.reachable} reachable)`));
  console.log(line("trace p90", figures.traceP90Ms));
  console.log(line("trace p99", figures.traceP99Ms));
  console.log("  slowest build operations:");
  for (const op of operations.slice(0, 4)) {
    console.log(`    ${op.name.padEnd(22)} ${String(op.totalMs).padStart(9)} ms over ${op.calls} calls (mean ${op.meanUs} µs; first tenth ${op.firstTenthMeanUs ?? "-"} µs, last tenth ${op.lastTenthMeanUs ?? "-"} µs)`);
  }
  console.log(`${result.pass ? "all targets met" : "some targets missed"}; wrote ${path.relative(process.cwd(), outFile) || outFile}`);
}

main();
