#!/usr/bin/env node
// The vpclab command: parses arguments and dispatches to one file per command. Mistakes in
// input are printed plainly (exit 2); anything unexpected is a bug and says so.
import { parseArgs } from "node:util";
import { applyCommand } from "./apply.js";
import { digCommand } from "./dig.js";
import { dnsAddressCommand } from "./dnsAddress.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_DNS_PORT } from "../live/dns.js";
import { findRegion, regions } from "../model/catalog/index.js";
import { liveTraceCommand, traceCommand } from "./trace.js";
import { showCommand } from "./show.js";
import { demoCommand } from "./demo.js";
import { stateCommand } from "./state.js";
import { dataDir, storeFor, UsageError } from "./common.js";
import { DEFAULT_PORT, DEFAULT_REGION, DNS_PORT_FILE, upCommand } from "./up.js";
import { red } from "./render.js";
import { StoreError } from "../state/store.js";
import { SqliteStore } from "../state/sqlite.js";
import { curlCommand } from "./curl.js";
import { connectCommand } from "./connect.js";

const HELP = `vpclab: AWS VPC endpoints and PrivateLink, locally

usage:
  vpclab up [--port 4566] [--dns-port 8053 | --no-dns] [--data DIR | --ephemeral] [--region R]
            [--health-interval 5]
                                        the AWS-compatible API server (EC2, ELBv2, STS) and DNS;
                                        every 5 s it probes the real servers behind load-balancer
                                        targets, for DescribeTargetHealth (0: never)
  vpclab apply FILE [FILE ...]          build or update the world from lab files (all or nothing)
  vpclab dig --from SOURCE NAME         what NAME resolves to from SOURCE's VPC
  vpclab dns-address VPC                where 'vpclab up' answers real DNS queries as VPC's resolver
                                        (VPC is an id or Name tag): "127.0.0.1 PORT"
  vpclab trace --from SOURCE --to HOST[:PORT] [--protocol tcp|udp|icmp]
                                        the path there and back, and every setting that blocks it
                                        (PORT defaults to 443; exit status 0 reachable, 1 not)
  vpclab curl --from SOURCE URL [-i] [-v] [-f] [-X METHOD] [-H 'Name: value'] [-d BODY]
                                        a real HTTP request from SOURCE, carried to the real server
                                        behind the target when the trace lets it through (else the
                                        blockers); exit status as curl's: 6 no such name, 7 blocked
                                        or no server
  vpclab connect --from SOURCE HOST:PORT [--listen 127.0.0.1:PORT] [--quiet]
                                        a local port that carries any client's TCP connections as
                                        SOURCE's connections to HOST:PORT, each traced as it opens
                                        (one line per connection on stderr: admitted or refused)
  vpclab show                           the resources in the world
  vpclab state export FILE | import FILE
                                        the whole world as JSON (- for stdout/stdin)
  vpclab reset                          forget the world
  vpclab demo                           lab 1 start to finish, in memory

SOURCE is an instance (its Name tag or id), an ENI id, a private IP, or an on-premises
network from the lab file (NAME or NAME@IP). curl and connect carry traffic to the real server
named by the vpclab:backend tag (HOST:PORT, or PORT=HOST:PORT,...) of the instance or network
interface where the trace delivers it (docs/LIVE.md).

options:
  --output json      machine-readable output (dig, trace, show, dns-address)
  --data DIR         where the world is kept (default ./.vpclab, or $VPCLAB_DATA)
  --dns-port PORT    the DNS server's base port (default 8053, or $VPCLAB_DNS_PORT): the public
                     view; each VPC's resolver is on base + the VPC's index (dns-address)
`;

/** `vpclab up`: long-running, so it lives outside the synchronous command dispatcher. */
async function up(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string" }, host: { type: "string" }, data: { type: "string" }, ephemeral: { type: "boolean" },
      region: { type: "string" }, "dns-port": { type: "string" }, "no-dns": { type: "boolean" },
      "health-interval": { type: "string" },
    },
  });
  const healthText = values["health-interval"] ?? "5";
  const healthSeconds = Number(healthText);
  if (!/^\d+(\.\d+)?$/.test(healthText) || healthSeconds > 86_400) throw new UsageError(`--health-interval takes seconds (0: no probing), not '${healthText}'`);
  const dnsPort = dnsBasePort(values["dns-port"]);
  const region = values.region ?? process.env["AWS_DEFAULT_REGION"] ?? DEFAULT_REGION;
  if (!findRegion(region)) throw new UsageError(`--region: vpclab knows ${regions().map((r) => r.name).join(", ")}, not '${region}'`);
  if (values.ephemeral && values.data !== undefined) throw new UsageError("--ephemeral keeps state in memory: it does not go with --data");
  if (values["no-dns"] && values["dns-port"] !== undefined) throw new UsageError("--no-dns and --dns-port contradict each other");
  const port = Number(values.port ?? process.env["VPCLAB_PORT"] ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, not '${values.port ?? ""}'`);
  await upCommand({
    port, host: values.host ?? "127.0.0.1", data: dataDir(values.data), ephemeral: values.ephemeral ?? false,
    region, out: (l) => console.log(l), healthIntervalMs: healthSeconds * 1000,
    ...(values["no-dns"] ? {} : { dnsPort }),
  });
}

/** The DNS base port a `vpclab up` on this data directory said it uses, if it did. */
function runningDnsPort(data: string): string | undefined {
  if (process.env["VPCLAB_DNS_PORT"] !== undefined) return undefined;
  try {
    return (JSON.parse(readFileSync(join(data, DNS_PORT_FILE), "utf8")) as { basePort?: number }).basePort?.toString();
  } catch {
    return undefined;
  }
}

/** --dns-port, else $VPCLAB_DNS_PORT, else 8053. */
function dnsBasePort(option: string | undefined): number {
  const text = option ?? process.env["VPCLAB_DNS_PORT"] ?? String(DEFAULT_DNS_PORT);
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port < 1 || port > 65535) throw new UsageError(`--dns-port must be a port number, not '${text}'`);
  return port;
}

export function main(argv: string[], out: (s: string) => void = (s) => console.log(s), err: (s: string) => void = (s) => console.error(s)): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        from: { type: "string" }, to: { type: "string" }, protocol: { type: "string" },
        output: { type: "string", short: "o" }, data: { type: "string" }, help: { type: "boolean", short: "h" },
        "dns-port": { type: "string" }, version: { type: "boolean" },
      },
    });
  } catch (e) {
    const hint = argv.includes("--json") ? " (did you mean --output json?)" : "";
    err(`${red("error:")} ${(e as Error).message.split(". To specify")[0]}${hint}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.version) {
    out(`vpclab ${version()}`);
    return 0;
  }
  if (values.help || command === undefined || command === "help") {
    out(HELP);
    return 0;
  }
  if (values.output !== undefined && values.output !== "json" && values.output !== "text") {
    err(`${red("error:")} --output must be json or text`);
    return 2;
  }
  const json = values.output === "json";
  try {
    if (command === "reset") {
      // Through the store, so that a running server sees the change (SQLite's data_version) and
      // keeps writing to the same database; only an unreadable database is removed as files.
      try {
        const store = storeFor(values.data);
        store.reset();
        store.close();
      } catch (e) {
        if (!(e instanceof StoreError)) throw e;
        SqliteStore.destroy(dataDir(values.data));
      }
      out("the world is empty");
      return 0;
    }
    const store = storeFor(values.data);
    switch (command) {
      case "apply": applyCommand(store, rest, out); return 0;
      case "dig": digCommand(store, values.from, rest, json, out); return 0;
      case "trace":
        if (rest.length > (values.to === undefined ? 1 : 0)) throw new UsageError(`unexpected argument '${rest.at(-1) ?? ""}'`);
        return traceCommand(store, { from: values.from, to: values.to ?? rest[0], protocol: values.protocol, json }, out);
      case "show": showCommand(store, json, out); return 0;
      case "dns-address": dnsAddressCommand(store, rest, dnsBasePort(values["dns-port"] ?? runningDnsPort(dataDir(values.data))), json, out); return 0;
      case "demo": demoCommand(out); return 0;
      case "curl": case "connect": err(`${red("error:")} vpclab ${command} runs only as the vpclab program`); return 2;
      case "state": stateCommand(store, rest, out); return 0;
      default: err(`${red("error:")} unknown command '${command}'\n\n${HELP}`); return 2;
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof StoreError) {
      err(`${red("error:")} ${e.message}`);
      return 2;
    }
    err(`${red("internal error")} (a bug in vpclab; please report it): ${(e as Error).stack ?? String(e)}`);
    return 70;
  }
}

/**
 * `vpclab trace` as the program: asynchronous, since it probes the real servers behind the
 * load-balancer targets on the path (main() traces from the network alone).
 */
async function traceLive(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    // main()'s options, so that a command line that works there works here (--dns-port is not used).
    options: {
      from: { type: "string" }, to: { type: "string" }, protocol: { type: "string" },
      output: { type: "string", short: "o" }, data: { type: "string" }, "dns-port": { type: "string" },
    },
  });
  if (positionals.length > (values.to === undefined ? 1 : 0)) throw new UsageError(`unexpected argument '${positionals.at(-1) ?? ""}'`);
  if (values.output !== undefined && values.output !== "json" && values.output !== "text") throw new UsageError("--output must be json or text");
  const store = storeFor(values.data);
  try {
    return await liveTraceCommand(store, { from: values.from, to: values.to ?? positionals[0], protocol: values.protocol, json: values.output === "json" }, (s) => console.log(s));
  } finally {
    store.close();
  }
}

/** `vpclab curl`: one request; its exit status is curl's. */
async function curl(args: string[]): Promise<number> {
  return curlCommand(args, storeFor, { out: (c) => process.stdout.write(c), err: (l) => console.error(l) });
}

/** `vpclab connect`: listens until interrupted. */
async function connect(args: string[]): Promise<void> {
  // stderr written directly: console.error's formatting is a measurable share of a connection's cost.
  const running = await connectCommand(args, storeFor, { out: (l) => console.log(l), err: (l) => void process.stderr.write(`${l}\n`) });
  const stop = (): void => {
    void running.close().finally(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

/** The package's version, from its package.json (two levels above dist/src/cli). */
function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Mistakes in input exit 2 as in the synchronous commands; anything else is a bug. */
function failed(e: unknown): void {
  if (e instanceof UsageError || e instanceof StoreError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    console.error(`${red("error:")} ${(e as Error).message.split(". To specify")[0]}`);
    process.exit(2);
  }
  // connect's --listen port taken or not allowed.
  if (["EADDRINUSE", "EACCES", "EADDRNOTAVAIL"].includes((e as { code?: string }).code ?? "")) {
    console.error(`${red("error:")} ${(e as Error).message}`);
    process.exit(2);
  }
  console.error(`${red("internal error")} (a bug in vpclab; please report it): ${(e as Error).stack ?? String(e)}`);
  process.exit(70);
}

/** The long-running and network commands, run outside the synchronous dispatcher. */
const ASYNC: Record<string, (args: string[]) => Promise<unknown>> = {
  // Anything that stops the server from starting (a port in use, an unreadable data directory) is the user's to fix.
  up: (args) => up(args).catch((e: unknown) => {
    const inUse = (e as { code?: string }).code === "EADDRINUSE" ? " (another vpclab or program has that port: choose another with --port)" : "";
    console.error(`${red("error:")} ${(e as Error).message}${inUse}`);
    process.exit(2);
  }),
  connect,
  trace: async (args) => {
    process.exitCode = await traceLive(args);
  },
  curl: async (args) => {
    process.exitCode = await curl(args);
  },
};

// Run when executed as a program (node dist/src/cli/main.js, or the vpclab bin link).
const invoked = process.argv[1] ?? "";
if (import.meta.url === new URL(`file://${invoked}`).href || /vpclab$/.test(invoked)) {
  const argv = process.argv.slice(2);
  // An asynchronous command, when only options (and their values: --data DIR curl ...) come before it.
  const at = argv.findIndex((a, i) => Object.hasOwn(ASYNC, a) && argv.slice(0, i).every((b, j) => b.startsWith("-") || argv[j - 1]?.startsWith("--")));
  const run = at >= 0 ? ASYNC[argv[at]!] : undefined;
  if (run && !argv.includes("--help") && !argv.includes("-h")) {
    run([...argv.slice(0, at), ...argv.slice(at + 1)]).catch(failed);
  } else {
    process.exitCode = main(argv);
  }
}
