// The API throughput benchmark (not a test): the same EC2 workload, through one real AWS SDK
// client, against vpclab's API server (in memory, then with the SQLite store that is the
// default) and against moto_server, each server fresh and one after the other. Figures go to
// bench/results/api.json and a table to stdout; targets are reported, never asserted.
//
//   npm run bench:api                                   3,000 measured calls per server
//   node dist/bench/api.js --calls 500 --warmup 50      a quick run
//   node dist/bench/api.js --servers vpclab,moto        only some of the servers
//   node dist/bench/api.js --cpu-prof DIR               vpclab servers run under node --cpu-prof
//
// The workload is rounds of dependent calls (a VPC, its subnets, a security group and rule, a
// route table, an internet gateway and route, an S3 gateway endpoint, deleted again ten rounds
// later) interleaved with Describe and Modify calls aimed at seeded, earlier resources. Calls are
// sequential: one in flight. A stub server that answers at once ("client floor") shows what the
// SDK and HTTP cost by themselves.
// Before measuring, every action is probed once on a fresh instance of every server; an action
// that fails anywhere other than as a client error (not implemented, 5xx, an unreadable answer)
// is dropped from the mix everywhere, with the actions that need its result, and reported.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs as parseCliArgs } from "node:util";
import {
  AttachInternetGatewayCommand, AuthorizeSecurityGroupIngressCommand, CreateInternetGatewayCommand, CreateRouteCommand,
  CreateRouteTableCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, CreateVpcEndpointCommand,
  DescribeRouteTablesCommand, DescribeSubnetsCommand, DescribeVpcAttributeCommand, DescribeVpcEndpointsCommand,
  DescribeVpcsCommand, DeleteVpcEndpointsCommand, EC2Client, ModifyVpcAttributeCommand,
} from "@aws-sdk/client-ec2";
import { projectRoot, rng } from "./common.js";

const REGION = "ap-northeast-2";
const ACCESS_KEY = "111111111111";
const DEFAULT_SEED = 20260101;
/** The issue's targets for vpclab. */
const TARGET_THROUGHPUT_RATIO = 5;
const TARGET_P99_MS = 5;

// ---------------------------------------------------------------- options

/** "stub" answers every call at once with a canned body: the client's own cost, the floor under every figure. */
type ServerKind = "stub" | "vpclab" | "vpclab-sqlite" | "moto";
const ALL_SERVERS: readonly ServerKind[] = ["stub", "vpclab", "vpclab-sqlite", "moto"];

interface Options {
  calls: number;
  warmup: number;
  seed: number;
  servers: ServerKind[];
  moto: string;
  out?: string;
  cpuProf?: string;
  quiet: boolean;
}

const USAGE = "usage: node dist/bench/api.js [--calls N (default 3000)] [--warmup N (default 100)] [--seed N] [--servers stub,vpclab,vpclab-sqlite,moto] [--moto CMD (default moto_server)] [--out FILE] [--cpu-prof DIR] [--quiet]";

function parseArgs(argv: string[]): Options {
  const { values: v } = parseCliArgs({
    args: argv,
    options: {
      calls: { type: "string" }, warmup: { type: "string" }, seed: { type: "string" }, servers: { type: "string" }, moto: { type: "string" },
      out: { type: "string" }, "cpu-prof": { type: "string" }, quiet: { type: "boolean" }, help: { type: "boolean", short: "h" },
    },
  });
  if (v.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const names = v.servers?.split(",").map((n) => n.trim()).filter((n) => n !== "");
  for (const n of names ?? []) if (!(ALL_SERVERS as readonly string[]).includes(n)) throw new Error(`unknown server '${n}' (choose from ${ALL_SERVERS.join(", ")})`);
  const opts: Options = {
    calls: Number(v.calls ?? 3000), warmup: Number(v.warmup ?? 100), seed: Number(v.seed ?? DEFAULT_SEED),
    servers: names ? ALL_SERVERS.filter((n) => names.includes(n)) : [...ALL_SERVERS],
    moto: v.moto ?? process.env["MOTO_SERVER"] ?? "moto_server", quiet: v.quiet ?? false,
    ...(v.out !== undefined ? { out: v.out } : {}), ...(v["cpu-prof"] !== undefined ? { cpuProf: path.resolve(v["cpu-prof"]) } : {}),
  };
  if (!(Number.isInteger(opts.calls) && opts.calls > 0)) throw new Error("--calls must be a positive integer");
  if (!(Number.isInteger(opts.warmup) && opts.warmup >= 0)) throw new Error("--warmup must be a non-negative integer");
  if (!Number.isInteger(opts.seed)) throw new Error("--seed must be an integer");
  if (opts.servers.length === 0) throw new Error("--servers names no server");
  return opts;
}



// ---------------------------------------------------------------- servers

interface Server {
  kind: ServerKind;
  label: string;
  endpoint: string;
  child: ChildProcess;
  /** The last lines the server wrote (stdout and stderr), for diagnostics. */
  tail: string[];
  /** Lines with "InternalError" on vpclab's stderr: failures it logged. */
  internalErrors: number;
  dataDir?: string;
}

const live = new Set<Server>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // detached: the child leads its own process group
  } catch {
    try { child.kill(signal); } catch { /* already gone */ }
  }
}

function cleanup(s: Server): void {
  live.delete(s);
  if (s.dataDir) rmSync(path.dirname(s.dataDir), { recursive: true, force: true });
}

// Whatever happens, the servers this process started die with it.
process.on("exit", () => {
  for (const s of live) {
    killGroup(s.child, "SIGKILL");
    if (s.dataDir) rmSync(path.dirname(s.dataDir), { recursive: true, force: true });
  }
});
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping ${live.size} server(s)`);
    process.exit(130);
  });
}

async function stopServer(s: Server): Promise<void> {
  const child = s.child;
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
  cleanup(s);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

class MissingCommand extends Error {}

function spawnServer(kind: ServerKind, label: string, command: string, args: string[], dataDir?: string): Server {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], detached: true, cwd: os.tmpdir() });
  const s: Server = { kind, label, endpoint: "", child, tail: [], internalErrors: 0, ...(dataDir ? { dataDir } : {}) };
  live.add(s);
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line === "") continue;
      if (line.includes("InternalError")) s.internalErrors += 1;
      s.tail.push(line);
      if (s.tail.length > 40) s.tail.shift();
    }
  };
  // Always drained, so that a chatty server (moto logs every request) never blocks on a full pipe.
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return s;
}

/** Resolves when `ready` does; rejects if the child fails to start or exits first, or after `ms`. */
function whenReady(s: Server, ready: Promise<string>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${s.label} was not ready after ${ms / 1000} s; its last output:\n  ${s.tail.join("\n  ")}`)), ms);
    const done = (): void => clearTimeout(timer);
    s.child.once("error", (e: NodeJS.ErrnoException) => { done(); reject(e.code === "ENOENT" ? new MissingCommand(String(e.message)) : e); });
    s.child.once("exit", (code, sig) => { done(); reject(new Error(`${s.label} exited (${sig ?? `status ${code}`}) before it was ready; its last output:\n  ${s.tail.join("\n  ")}`)); });
    ready.then((endpoint) => { done(); s.endpoint = endpoint; resolve(); }, (e: unknown) => { done(); reject(e instanceof Error ? e : new Error(String(e))); });
  });
}

async function startVpclab(kind: "vpclab" | "vpclab-sqlite", opts: Options): Promise<Server> {
  const main = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npm run build)`);
  const dataDir = kind === "vpclab-sqlite" ? path.join(mkdtempSync(path.join(os.tmpdir(), "vpclab-bench-api-")), "data") : undefined;
  const nodeFlags = opts.cpuProf ? ["--cpu-prof", "--cpu-prof-dir", opts.cpuProf, "--cpu-prof-name", `${kind}-${Date.now()}.cpuprofile`] : [];
  const store = dataDir ? ["--data", dataDir] : ["--ephemeral"];
  const label = kind === "vpclab" ? "vpclab (memory)" : "vpclab (SQLite)";
  const s = spawnServer(kind, label, process.execPath, [...nodeFlags, main, "up", "--port", "0", ...store], dataDir);
  const ready = new Promise<string>((resolve) => {
    const onData = (chunk: Buffer): void => {
      const m = /vpclab API listening on (http:\/\/[^\s]+)/.exec(chunk.toString("utf8"));
      if (m) {
        s.child.stdout?.off("data", onData);
        resolve(m[1]!);
      }
    };
    s.child.stdout?.on("data", onData);
  });
  await whenReady(s, ready, 30_000);
  return s;
}

async function startMoto(opts: Options): Promise<Server> {
  const port = await freePort();
  const s = spawnServer("moto", "moto", opts.moto, ["-H", "127.0.0.1", "-p", String(port)]);
  const endpoint = `http://127.0.0.1:${port}`;
  const ready = (async (): Promise<string> => {
    for (;;) {
      if (s.child.exitCode !== null || s.child.signalCode !== null || !live.has(s)) throw new Error("moto exited");
      try {
        const r = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
        await r.arrayBuffer();
        if (r.ok) return endpoint;
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  ready.catch(() => undefined);
  await whenReady(s, ready, 60_000);
  return s;
}

/** A canned EC2 answer: the SDK reads what it knows of it and ignores the root element's name. */
const CANNED = '<?xml version="1.0" encoding="UTF-8"?>\n<Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>00000000-0000-0000-0000-000000000000</requestId><return>true</return></Response>';

/** A node process that answers every request with CANNED once the body is read: no parsing, no state. */
async function startStub(): Promise<Server> {
  const code = `const http = require("node:http");
const body = ${JSON.stringify(CANNED)};
const s = http.createServer((req, res) => { req.resume(); req.on("end", () => res.writeHead(200, { "content-type": "text/xml;charset=UTF-8" }).end(body)); });
s.listen(0, "127.0.0.1", () => console.log("stub listening on http://127.0.0.1:" + s.address().port));`;
  const s = spawnServer("stub", "client floor", process.execPath, ["-e", code]);
  const ready = new Promise<string>((resolve) => {
    s.child.stdout?.on("data", (chunk: Buffer) => {
      const m = /stub listening on (http:\/\/\S+)/.exec(chunk.toString("utf8"));
      if (m) resolve(m[1]!);
    });
  });
  await whenReady(s, ready, 30_000);
  return s;
}

async function startServer(kind: ServerKind, opts: Options): Promise<Server> {
  try {
    return kind === "moto" ? await startMoto(opts) : kind === "stub" ? await startStub() : await startVpclab(kind, opts);
  } catch (e) {
    for (const s of live) if (s.kind === kind && s.endpoint === "") await stopServer(s);
    throw e;
  }
}

function motoVersion(): string {
  for (const py of ["python3", "python"]) {
    const r = spawnSync(py, ["-c", "import moto; print(moto.__version__)"], { encoding: "utf8", timeout: 20_000 });
    if (r.status === 0 && r.stdout.trim() !== "") return r.stdout.trim();
  }
  return "unknown";
}

function client(endpoint: string): EC2Client {
  // The SDK's notice that its 2027 releases need node 22 says nothing about this benchmark.
  process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
  return new EC2Client({ endpoint, region: REGION, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: "x" }, maxAttempts: 1 });
}

// ---------------------------------------------------------------- the workload

/** The seeded choices of one round, drawn up front so that both servers get exactly the same calls. */
interface RoundPlan {
  index: number;
  subnetThirdOctets: [number, number];
  azs: [string, string];
  port: number;
  /** Round whose resources each Describe call (and DescribeVpcAttribute) looks at: this one or an earlier one. */
  target: { vpcs: number; subnets: number; attribute: number; routeTables: number; endpoints: number };
  attribute: "enableDnsSupport" | "enableDnsHostnames";
  /**
   * The round whose gateway endpoint this round deletes (ENDPOINTS_KEPT rounds back), so that
   * no more than a few endpoints exist at a time: AWS (and vpclab) allow 20 gateway endpoints
   * per Region, moto any number, and a workload past the quota would compare errors with work.
   */
  deleteEndpointOf?: number;
}

const ENDPOINTS_KEPT = 10;
/** Calls the client makes against the stub before any measured run. */
const CLIENT_WARMUP = 1000;

/** What a run has created so far, by round (undefined where the call failed). */
interface Made {
  vpcs: (string | undefined)[];
  subnets: (string | undefined)[][];
  sgs: (string | undefined)[];
  rtbs: (string | undefined)[];
  igws: (string | undefined)[];
  endpoints: (string | undefined)[];
}

/** Ids that exist nowhere, used when the call that should have made a resource failed: the call still happens, and fails. */
const NONE = { vpc: "vpc-00000000000000000", subnet: "subnet-00000000000000000", sg: "sg-00000000000000000", rtb: "rtb-00000000000000000", igw: "igw-00000000000000000", vpce: "vpce-00000000000000000" };

interface Step {
  action: string;
  /** Actions whose results this step uses: dropped with them. */
  needs: string[];
  /** Actions measured only together with this one (each needs the other). */
  together?: string[];
  /** Whether the step has a call to make in this round (default: always). */
  applies?(p: RoundPlan): boolean;
  run(ec2: EC2Client, p: RoundPlan, m: Made): Promise<void>;
}

const AZS = ["a", "b", "c", "d"].map((s) => `${REGION}${s}`);

function plans(seed: number, rounds: number): RoundPlan[] {
  const rand = rng(seed);
  const upTo = (n: number): number => Math.floor(rand() * (n + 1));
  const out: RoundPlan[] = [];
  for (let r = 0; r < rounds; r++) {
    const k = 2 * Math.floor(rand() * 128);
    out.push({
      index: r,
      subnetThirdOctets: [k, k + 1],
      azs: [AZS[Math.floor(rand() * AZS.length)]!, AZS[Math.floor(rand() * AZS.length)]!],
      port: 1024 + Math.floor(rand() * 60_000),
      // Endpoints: one that still exists (this round's or one of the last few).
      target: { vpcs: upTo(r), subnets: upTo(r), attribute: upTo(r), routeTables: upTo(r), endpoints: r - Math.floor(rand() * Math.min(ENDPOINTS_KEPT, r + 1)) },
      attribute: rand() < 0.5 ? "enableDnsSupport" : "enableDnsHostnames",
      ...(r >= ENDPOINTS_KEPT ? { deleteEndpointOf: r - ENDPOINTS_KEPT } : {}),
    });
  }
  return out;
}

const vpcOf = (m: Made, r: number): string => m.vpcs[r] ?? NONE.vpc;

/** One round, in order. Each step records what it made under its round's index. */
const ROUND: Step[] = [
  {
    action: "CreateVpc", needs: [],
    run: async (ec2, p, m) => {
      const out = await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${p.index % 256}.0.0/16`, TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "Name", Value: `bench-${p.index}` }] }] }));
      m.vpcs[p.index] = out.Vpc?.VpcId;
    },
  },
  ...[0, 1].map((k): Step => ({
    action: "CreateSubnet", needs: ["CreateVpc"],
    run: async (ec2, p, m) => {
      const out = await ec2.send(new CreateSubnetCommand({ VpcId: vpcOf(m, p.index), CidrBlock: `10.${p.index % 256}.${p.subnetThirdOctets[k]!}.0/24`, AvailabilityZone: p.azs[k]! }));
      (m.subnets[p.index] ??= [])[k] = out.Subnet?.SubnetId;
    },
  })),
  {
    action: "ModifyVpcAttribute", needs: ["CreateVpc"],
    run: async (ec2, p, m) => { await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcOf(m, p.index), EnableDnsHostnames: { Value: true } })); },
  },
  {
    action: "DescribeVpcs", needs: ["CreateVpc"],
    run: async (ec2, p, m) => { await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcOf(m, p.target.vpcs)] })); },
  },
  {
    action: "DescribeSubnets", needs: ["CreateVpc", "CreateSubnet"],
    run: async (ec2, p, m) => { await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcOf(m, p.target.subnets)] }] })); },
  },
  {
    action: "DescribeVpcAttribute", needs: ["CreateVpc"],
    run: async (ec2, p, m) => { await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcOf(m, p.target.attribute), Attribute: p.attribute })); },
  },
  {
    action: "CreateSecurityGroup", needs: ["CreateVpc"],
    run: async (ec2, p, m) => {
      const out = await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcOf(m, p.index), GroupName: `bench-${p.index}`, Description: "api benchmark" }));
      m.sgs[p.index] = out.GroupId;
    },
  },
  {
    action: "AuthorizeSecurityGroupIngress", needs: ["CreateSecurityGroup"],
    run: async (ec2, p, m) => {
      await ec2.send(new AuthorizeSecurityGroupIngressCommand({
        GroupId: m.sgs[p.index] ?? NONE.sg,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: p.port, ToPort: p.port, IpRanges: [{ CidrIp: "10.0.0.0/8", Description: "bench" }] }],
      }));
    },
  },
  {
    action: "CreateRouteTable", needs: ["CreateVpc"],
    run: async (ec2, p, m) => {
      const out = await ec2.send(new CreateRouteTableCommand({ VpcId: vpcOf(m, p.index) }));
      m.rtbs[p.index] = out.RouteTable?.RouteTableId;
    },
  },
  {
    action: "CreateInternetGateway", needs: [],
    run: async (ec2, p, m) => {
      const out = await ec2.send(new CreateInternetGatewayCommand({}));
      m.igws[p.index] = out.InternetGateway?.InternetGatewayId;
    },
  },
  {
    action: "AttachInternetGateway", needs: ["CreateVpc", "CreateInternetGateway"],
    run: async (ec2, p, m) => { await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: m.igws[p.index] ?? NONE.igw, VpcId: vpcOf(m, p.index) })); },
  },
  {
    action: "CreateRoute", needs: ["CreateRouteTable", "AttachInternetGateway"],
    run: async (ec2, p, m) => { await ec2.send(new CreateRouteCommand({ RouteTableId: m.rtbs[p.index] ?? NONE.rtb, DestinationCidrBlock: "0.0.0.0/0", GatewayId: m.igws[p.index] ?? NONE.igw })); },
  },
  {
    action: "DescribeRouteTables", needs: ["CreateVpc"],
    run: async (ec2, p, m) => { await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpcOf(m, p.target.routeTables)] }] })); },
  },
  {
    action: "CreateVpcEndpoint", needs: ["CreateVpc", "CreateRouteTable"], together: ["DeleteVpcEndpoints"],
    run: async (ec2, p, m) => {
      const out = await ec2.send(new CreateVpcEndpointCommand({ VpcEndpointType: "Gateway", VpcId: vpcOf(m, p.index), ServiceName: `com.amazonaws.${REGION}.s3`, RouteTableIds: [m.rtbs[p.index] ?? NONE.rtb] }));
      m.endpoints[p.index] = out.VpcEndpoint?.VpcEndpointId;
    },
  },
  {
    action: "DescribeVpcEndpoints", needs: ["CreateVpcEndpoint"],
    run: async (ec2, p, m) => { await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [m.endpoints[p.target.endpoints] ?? NONE.vpce] })); },
  },
  {
    action: "DeleteVpcEndpoints", needs: ["CreateVpcEndpoint"],
    applies: (p) => p.deleteEndpointOf !== undefined,
    run: async (ec2, p, m) => {
      const out = await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [m.endpoints[p.deleteEndpointOf!] ?? NONE.vpce] }));
      // A 200 answer listing the endpoint as unsuccessful is a failed call too.
      const failed = out.Unsuccessful?.[0];
      if (failed) throw new UnsuccessfulItem(failed.Error?.Code ?? "Unsuccessful", failed.Error?.Message ?? "");
    },
  },
];

/** An item a batch call (DeleteVpcEndpoints) reports in its Unsuccessful list. */
class UnsuccessfulItem extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

const ACTIONS_IN_ROUND = [...new Set(ROUND.map((s) => s.action))];

function emptyMade(): Made {
  return { vpcs: [], subnets: [], sgs: [], rtbs: [], igws: [], endpoints: [] };
}

/** The call list: rounds of the enabled steps, cut at `count` calls. */
function schedule(enabled: Set<string>, count: number, seed: number): { step: Step; plan: RoundPlan }[] {
  const steps = ROUND.filter((s) => enabled.has(s.action));
  if (steps.length === 0) return [];
  // Plans are drawn round by round, so a longer list of them starts with the shorter one.
  for (let rounds = Math.ceil(count / steps.length); ; rounds *= 2) {
    const out: { step: Step; plan: RoundPlan }[] = [];
    for (const plan of plans(seed, rounds)) {
      for (const step of steps) {
        if (step.applies && !step.applies(plan)) continue;
        out.push({ step, plan });
        if (out.length === count) return out;
      }
    }
  }
}

// ---------------------------------------------------------------- errors

interface CallError { code: string; status?: number; fault: "client" | "server" | "transport"; message: string }

/** Codes that mean "this server does not do this action", whatever the HTTP status says. */
const NOT_IMPLEMENTED = new Set(["InvalidAction", "NotImplemented", "UnsupportedOperation", "InternalError", "InternalFailure", "ServiceUnavailable"]);

function callError(e: unknown): CallError {
  if (e instanceof UnsuccessfulItem) return { code: e.code, status: 200, fault: "client", message: e.message };
  const err = e as { name?: string; Code?: string; message?: string; code?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  const status = err.$metadata?.httpStatusCode;
  const code = err.Code ?? err.code ?? err.name ?? "Error";
  const message = (err.message ?? String(e)).split("\n")[0]!.slice(0, 200);
  if (status === undefined) return { code, fault: "transport", message };
  return { code, status, fault: status >= 500 || err.$fault === "server" ? "server" : "client", message };
}

/** Why a probed call means the action cannot be benchmarked on this server (undefined: it can). */
function disqualifies(e: CallError): boolean {
  return e.fault !== "client" || NOT_IMPLEMENTED.has(e.code);
}

// ---------------------------------------------------------------- probe

type ProbeResult =
  | { status: "ok" }
  | { status: "client-error"; code: string; message: string }
  | { status: "unsupported"; code: string; httpStatus?: number; message: string }
  | { status: "not-probed"; reason: string };

/** One round on a fresh server, every action once (an action whose inputs could not be made is not probed). */
async function probe(server: Server): Promise<Map<string, ProbeResult>> {
  const ec2 = client(server.endpoint);
  const results = new Map<string, ProbeResult>();
  const made = emptyMade();
  // One round that also deletes its own endpoint, so that DeleteVpcEndpoints is probed too.
  const plan: RoundPlan = { ...plans(DEFAULT_SEED ^ 0x5eed, 1)[0]!, deleteEndpointOf: 0 };
  try {
    for (const step of ROUND) {
      if (results.has(step.action) && results.get(step.action)!.status !== "ok") continue;
      const missing = step.needs.filter((n) => results.get(n)?.status !== "ok");
      if (missing.length > 0) {
        results.set(step.action, { status: "not-probed", reason: `needs ${missing.join(", ")}` });
        continue;
      }
      try {
        await step.run(ec2, plan, made);
        results.set(step.action, { status: "ok" });
      } catch (e) {
        const ce = callError(e);
        results.set(step.action, disqualifies(ce)
          ? { status: "unsupported", code: ce.code, ...(ce.status !== undefined ? { httpStatus: ce.status } : {}), message: ce.message }
          : { status: "client-error", code: ce.code, message: ce.message });
      }
    }
  } finally {
    ec2.destroy();
  }
  return results;
}

interface Skipped { action: string; reason: string }

/**
 * The actions measured: those that worked (or failed only as a client error) on every server,
 * and whose inputs come from actions that are measured too.
 */
function enabledActions(probes: Map<string, Map<string, ProbeResult>>): { enabled: Set<string>; skipped: Skipped[]; warnings: string[] } {
  const enabled = new Set<string>();
  const skipped = new Map<string, string>();
  const warnings: string[] = [];
  for (const action of ACTIONS_IN_ROUND) {
    const reasons: string[] = [];
    for (const [label, results] of probes) {
      const r = results.get(action);
      if (!r) continue;
      if (r.status === "unsupported") reasons.push(`${label}: ${r.code}${r.httpStatus !== undefined ? ` (HTTP ${r.httpStatus})` : ""}: ${r.message}`);
      if (r.status === "client-error") warnings.push(`${action} on ${label} answered the probe with ${r.code}: ${r.message} (kept; its errors are counted)`);
    }
    if (reasons.length > 0) skipped.set(action, reasons.join("; "));
    else enabled.add(action);
  }
  // Then whatever needs a skipped action goes too, until nothing changes.
  for (let changed = true; changed;) {
    changed = false;
    for (const step of ROUND) {
      if (!enabled.has(step.action)) continue;
      const missing = [...step.needs, ...(step.together ?? [])].filter((n) => !enabled.has(n));
      if (missing.length === 0) continue;
      enabled.delete(step.action);
      skipped.set(step.action, `needs ${missing.join(", ")}, ${missing.length === 1 ? "which is" : "which are"} skipped`);
      changed = true;
    }
  }
  const order = (a: string): number => ACTIONS_IN_ROUND.indexOf(a);
  return { enabled, skipped: [...skipped].sort((a, b) => order(a[0]) - order(b[0])).map(([action, reason]) => ({ action, reason })), warnings };
}

// ---------------------------------------------------------------- measurement

interface Sample { action: string; ns: bigint; error?: string }

interface RunResult { samples: Sample[]; wallNs: bigint; warmupErrors: number }

async function measure(server: Server, calls: { step: Step; plan: RoundPlan }[], warmup: number): Promise<RunResult> {
  const ec2 = client(server.endpoint);
  const made = emptyMade();
  const samples: Sample[] = [];
  let warmupErrors = 0;
  let start = 0n;
  try {
    for (const [i, { step, plan }] of calls.entries()) {
      if (i === warmup) start = process.hrtime.bigint();
      const t0 = process.hrtime.bigint();
      let error: string | undefined;
      try {
        await step.run(ec2, plan, made);
      } catch (e) {
        const ce = callError(e);
        error = ce.fault === "transport" ? `transport: ${ce.code}` : ce.code;
      }
      const ns = process.hrtime.bigint() - t0;
      if (i < warmup) {
        if (error !== undefined) warmupErrors += 1;
        continue;
      }
      samples.push({ action: step.action, ns, ...(error !== undefined ? { error } : {}) });
      if (server.child.exitCode !== null || server.child.signalCode !== null) throw new Error(`${server.label} died during the run; its last output:\n  ${server.tail.join("\n  ")}`);
    }
  } finally {
    ec2.destroy();
  }
  return { samples, wallNs: process.hrtime.bigint() - start, warmupErrors };
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface ActionFigures { calls: number; meanMs: number; p50Ms: number; p99Ms: number; maxMs: number; errors: Record<string, number> }

interface ServerFigures {
  server: string;
  calls: number;
  totalSeconds: number;
  callsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  errors: number;
  warmupErrors: number;
  /** The 1-minute load average before and after the run: other work on the machine makes figures noisy. */
  loadAverage: { before: number; after: number };
  internalErrorsLogged?: number;
  perAction: Record<string, ActionFigures>;
}

function figures(label: string, run: RunResult): Omit<ServerFigures, "internalErrorsLogged" | "loadAverage"> {
  const ms = (s: Sample): number => Number(s.ns) / 1e6;
  const sorted = run.samples.map(ms).sort((a, b) => a - b);
  const seconds = Number(run.wallNs) / 1e9;
  const perAction: Record<string, ActionFigures> = {};
  for (const action of ACTIONS_IN_ROUND) {
    const mine = run.samples.filter((s) => s.action === action);
    if (mine.length === 0) continue;
    const xs = mine.map(ms).sort((a, b) => a - b);
    const errors: Record<string, number> = {};
    for (const s of mine) if (s.error !== undefined) errors[s.error] = (errors[s.error] ?? 0) + 1;
    perAction[action] = {
      calls: mine.length,
      meanMs: round(xs.reduce((a, b) => a + b, 0) / xs.length),
      p50Ms: round(percentile(xs, 50)),
      p99Ms: round(percentile(xs, 99)),
      maxMs: round(xs[xs.length - 1]!),
      errors,
    };
  }
  return {
    server: label,
    calls: run.samples.length,
    totalSeconds: round(seconds),
    callsPerSecond: round(run.samples.length / seconds, 1),
    p50Ms: round(percentile(sorted, 50)),
    p90Ms: round(percentile(sorted, 90)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] ?? NaN),
    meanMs: round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
    errors: run.samples.filter((s) => s.error !== undefined).length,
    warmupErrors: run.warmupErrors,
    perAction,
  };
}

interface Comparison {
  vpclab: ServerKind;
  throughputRatio: number;
  p99Ratio: number | null;
  targets: {
    throughput: { value: number | null; target: string; met: boolean | null };
    p99: { value: number; target: string; met: boolean };
  };
}

function compare(kind: ServerKind, v: ServerFigures, moto: ServerFigures | undefined): Comparison {
  const throughputRatio = moto ? round(v.callsPerSecond / moto.callsPerSecond, 2) : NaN;
  return {
    vpclab: kind,
    throughputRatio,
    p99Ratio: moto ? round(moto.p99Ms / v.p99Ms, 2) : null,
    targets: {
      throughput: { value: moto ? throughputRatio : null, target: `>= ${TARGET_THROUGHPUT_RATIO}x moto's calls/s`, met: moto ? throughputRatio >= TARGET_THROUGHPUT_RATIO : null },
      p99: { value: v.p99Ms, target: `< ${TARGET_P99_MS} ms`, met: v.p99Ms < TARGET_P99_MS },
    },
  };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const log = (s: string): void => { if (!opts.quiet) console.log(s); };
  const cpu = os.cpus();
  log(`vpclab API benchmark: ${opts.calls} calls per server after ${opts.warmup} warm-up calls, node ${process.version}, ${cpu.length} cores (${cpu[0]?.model ?? "unknown cpu"})`);
  if (opts.cpuProf) mkdirSync(opts.cpuProf, { recursive: true });

  // Which servers can run at all: moto may not be installed.
  let servers = [...opts.servers];
  const notes: string[] = [];
  let motoInfo: { command: string; available: boolean; version?: string; reason?: string } = { command: opts.moto, available: false };

  // 1. Probe every action once on a fresh instance of each server.
  const probes = new Map<string, Map<string, ProbeResult>>();
  for (const kind of servers.filter((k) => k !== "stub")) {
    let s: Server;
    try {
      s = await startServer(kind, opts);
    } catch (e) {
      if (kind !== "moto") throw e;
      const reason = e instanceof MissingCommand ? `'${opts.moto}' is not installed (or not on PATH)` : (e as Error).message;
      console.log(`moto_server unavailable: ${reason}; measuring vpclab only`);
      motoInfo = { command: opts.moto, available: false, reason };
      notes.push(`moto was not measured: ${reason}`);
      servers = servers.filter((k) => k !== "moto");
      continue;
    }
    try {
      if (kind === "moto") motoInfo = { command: opts.moto, available: true, version: motoVersion() };
      probes.set(s.label, await probe(s));
    } finally {
      await stopServer(s);
    }
  }
  if (servers.filter((k) => k !== "stub").length === 0) throw new Error("no server to measure");
  const { enabled, skipped, warnings } = enabledActions(probes);
  log(`measuring ${enabled.size} actions: ${[...enabled].join(", ")}`);
  for (const s of skipped) log(`  skipped ${s.action}: ${s.reason}`);
  for (const w of warnings) log(`  note: ${w}`);
  if (enabled.size === 0) throw new Error("no action works on every server");

  const calls = schedule(enabled, opts.warmup + opts.calls, opts.seed);

  // 2. The client's own warm-up, so that the first server measured does not pay for the SDK's
  // code getting optimised: CLIENT_WARMUP calls against the stub, not timed.
  {
    const s = await startServer("stub", opts);
    try {
      await measure(s, schedule(enabled, CLIENT_WARMUP, opts.seed), CLIENT_WARMUP);
    } finally {
      await stopServer(s);
    }
  }

  // 3. The measured runs: the stub, then vpclab, moto last.
  const results = new Map<ServerKind, ServerFigures>();
  const load1 = (): number => round(os.loadavg()[0] ?? NaN, 2);
  for (const kind of servers) {
    const s = await startServer(kind, opts);
    try {
      log(`running ${s.label} at ${s.endpoint} ...`);
      const before = load1();
      const run = await measure(s, calls, opts.warmup);
      const f: ServerFigures = { ...figures(s.label, run), loadAverage: { before, after: load1() }, ...(kind.startsWith("vpclab") ? { internalErrorsLogged: s.internalErrors } : {}) };
      results.set(kind, f);
      log(`  ${f.calls} calls in ${f.totalSeconds} s: ${f.callsPerSecond} calls/s, p99 ${f.p99Ms} ms, ${f.errors} errors`);
    } finally {
      await stopServer(s);
    }
  }
  const floor = results.get("stub");
  const measured = [...results].filter(([k]) => k !== "stub");
  const busy = Math.max(...measured.map(([, f]) => f.loadAverage.before));
  if (busy > cpu.length / 2) notes.push(`The machine was busy (1-minute load average up to ${busy} on ${cpu.length} cores): figures, tail latencies most, are noisier than on an idle machine.`);

  const moto = results.get("moto");
  const comparisons = (["vpclab", "vpclab-sqlite"] as const).flatMap((k) => {
    const v = results.get(k);
    return v ? [compare(k, v, moto)] : [];
  });

  const perActionMeanMs: Record<string, Record<string, number>> = {};
  for (const action of ACTIONS_IN_ROUND) {
    if (!enabled.has(action)) continue;
    perActionMeanMs[action] = Object.fromEntries([...results].map(([k, f]) => [k === "stub" ? "clientFloor" : k, f.perAction[action]?.meanMs ?? NaN]));
  }

  const result = {
    benchmark: "api",
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpuModel: cpu[0]?.model ?? "unknown",
    cores: cpu.length,
    totalMemoryMB: round(os.totalmem() / (1024 * 1024), 0),
    moto: motoInfo,
    client: { sdk: "@aws-sdk/client-ec2", maxAttempts: 1, region: REGION, accessKeyId: ACCESS_KEY, concurrency: 1 },
    calls: opts.calls,
    warmup: opts.warmup,
    seed: opts.seed,
    mix: ROUND.filter((s) => enabled.has(s.action)).map((s) => s.action),
    skipped,
    probeNotes: warnings,
    probes: Object.fromEntries([...probes].map(([label, r]) => [label, Object.fromEntries(r)])),
    targets: { throughputRatio: TARGET_THROUGHPUT_RATIO, p99Ms: TARGET_P99_MS },
    servers: Object.fromEntries(measured),
    clientFloor: floor ?? null,
    comparisons,
    perActionMeanMs,
    notes: [
      "Latency is per call as the client sees it (SDK serialization, signing, HTTP on 127.0.0.1 and XML parsing included), one call in flight; total seconds is the wall time of the measured calls.",
      "Every server runs the same call list from a fresh start; warm-up calls come first and are not counted.",
      `Before any measured run the client makes ${CLIENT_WARMUP} untimed calls against the stub, so that the first server measured does not pay for the SDK's code being optimised.`,
      "A call answered with an AWS error is a completed call and counted in the figures; errors are counted per action and code.",
      "throughputRatio is vpclab calls/s over moto calls/s; p99Ratio is moto's p99 over vpclab's.",
      "clientFloor is the same call list against a stub process that answers every call at once with a canned body: the SDK, HTTP on loopback and the process hop, with no server work. A server's latency above it is the server's own.",
      ...notes,
    ],
  };

  const outFile = opts.out ?? path.join(projectRoot(), "bench", "results", "api.json");
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);

  // The table, for people.
  const cols = measured.map(([, f]) => f);
  const pad = (s: string | number, n: number): string => String(s).padStart(n);
  console.log("");
  console.log(`${"server".padEnd(18)}${pad("calls", 7)}${pad("total s", 9)}${pad("calls/s", 9)}${pad("p50 ms", 9)}${pad("p90 ms", 9)}${pad("p99 ms", 9)}${pad("max ms", 9)}${pad("errors", 8)}`);
  for (const f of floor ? [...cols, floor] : cols) {
    console.log(`${f.server.padEnd(18)}${pad(f.calls, 7)}${pad(f.totalSeconds.toFixed(2), 9)}${pad(f.callsPerSecond.toFixed(0), 9)}${pad(f.p50Ms.toFixed(2), 9)}${pad(f.p90Ms.toFixed(2), 9)}${pad(f.p99Ms.toFixed(2), 9)}${pad(f.maxMs.toFixed(2), 9)}${pad(f.errors, 8)}`);
  }
  if (floor) console.log(`(client floor: the same calls against a stub that answers at once; the SDK and HTTP's share of every row above)`);
  console.log("");
  for (const c of comparisons) {
    const label = results.get(c.vpclab)!.server;
    const mark = (met: boolean | null): string => (met === null ? "n/a (no moto figures)" : met ? "met" : "MISSED");
    if (moto) console.log(`${label}: ${c.throughputRatio}x moto's throughput (target >= ${TARGET_THROUGHPUT_RATIO}x: ${mark(c.targets.throughput.met)}); moto p99 / vpclab p99 = ${c.p99Ratio}`);
    else console.log(`${label}: throughput target (>= ${TARGET_THROUGHPUT_RATIO}x moto): ${mark(null)}`);
    console.log(`${" ".repeat(label.length)}  p99 ${c.targets.p99.value} ms (target < ${TARGET_P99_MS} ms: ${mark(c.targets.p99.met)})`);
  }
  console.log("");
  const perActionCols = floor ? [...cols, floor] : cols;
  console.log(`${"mean ms per action".padEnd(32)}${perActionCols.map((f) => pad(f.server, 18)).join("")}`);
  for (const action of Object.keys(perActionMeanMs)) {
    const cells = perActionCols.map((f) => {
      const a = f.perAction[action];
      const errs = a ? Object.values(a.errors).reduce((x, y) => x + y, 0) : 0;
      return pad(`${(a?.meanMs ?? NaN).toFixed(2)}${errs ? ` (${errs} err)` : ""}`, 18);
    });
    console.log(`${action.padEnd(32)}${cells.join("")}`);
  }
  const errorLines = cols.flatMap((f) => Object.entries(f.perAction).flatMap(([a, x]) => Object.entries(x.errors).map(([code, n]) => `  ${f.server}: ${a} ${code} x${n}`)));
  if (errorLines.length > 0) {
    console.log("errors:");
    for (const l of errorLines) console.log(l);
  }
  if (skipped.length > 0) console.log(`skipped (not working on every server yet): ${skipped.map((s) => s.action).join(", ")}`);
  for (const n of notes) console.log(`note: ${n}`);
  console.log(`wrote ${path.relative(process.cwd(), outFile) || outFile}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`api benchmark failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
