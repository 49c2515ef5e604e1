// vpclab curl --from SOURCE URL: a real HTTP request, as SOURCE would make it, carried to the
// real server behind wherever the trace delivers it, when the trace lets it through; else every
// setting that blocks it. Exit statuses follow curl's: 6 the name does not resolve, 7 no
// connection (blocked, no real server, backend down), 22 with --fail on an HTTP error.
import { parseArgs } from "node:util";
import { parseIpv4 } from "../model/net.js";
import type { Store } from "../state/store.js";
import type { FlowTarget } from "../live/flow.js";
import { deliveryLabel } from "../live/flow.js";
import { DownMemory } from "../live/health.js";
import { exchange, headText, type HttpHead, type HttpSpec } from "../live/http.js";
import { takeRotation, UsageError } from "./common.js";
import { plannerFor, whyNot } from "./flow.js";
import { renderTrace } from "./render.js";

export interface CurlIo { out: (chunk: Buffer | string) => void; err: (line: string) => void }

const USAGE = "usage: vpclab curl --from SOURCE [-i] [-v] [-f] [-X METHOD] [-H 'Name: value']... [-d BODY] [--connect-timeout S] [--max-time S] URL";

/** The URL as curl reads it: no scheme means http. */
function parseUrl(text: string): { url: URL; target: FlowTarget } {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    throw new UsageError(`cannot read '${text}' as a URL`);
  }
  if (url.protocol === "https:") {
    throw new UsageError("https is not carried by vpclab curl (it speaks plain HTTP to the real server). For TLS, run 'vpclab connect' and point a real client at it, e.g. curl --connect-to NAME:443:127.0.0.1:PORT https://NAME/ (docs/LIVE.md)");
  }
  if (url.protocol !== "http:") throw new UsageError(`vpclab curl speaks http only, not ${url.protocol.slice(0, -1)}`);
  const host = url.hostname;
  if (host.startsWith("[")) throw new UsageError("IPv6 addresses are not modelled: VPC traces are IPv4");
  const port = url.port === "" ? 80 : Number(url.port);
  return { url, target: parseIpv4(host) !== undefined ? { ip: host, port } : { host, port } };
}

/** An option in seconds, as milliseconds. */
function seconds(text: string | undefined, name: string, fallbackSeconds: number): number {
  if (text === undefined) return fallbackSeconds * 1000;
  const s = Number(text);
  if (!Number.isFinite(s) || s < 0) throw new UsageError(`--${name} takes seconds, not '${text}'`);
  return Math.round(s * 1000);
}

/** Request headers, curl's defaults first; -H "Name: value" replaces a default and "Name:" removes it. */
function requestHeaders(url: URL, given: string[], body: Buffer | undefined): [string, string][] {
  const headers = new Map<string, [string, string]>([
    ["host", ["Host", url.host]], ["user-agent", ["User-Agent", "vpclab-curl"]], ["accept", ["Accept", "*/*"]],
  ]);
  if (body) headers.set("content-type", ["Content-Type", "application/x-www-form-urlencoded"]);
  for (const h of given) {
    const colon = h.indexOf(":");
    if (colon <= 0) throw new UsageError(`-H takes 'Name: value', not '${h}'`);
    const name = h.slice(0, colon).trim();
    const value = h.slice(colon + 1).trim();
    if (value === "") headers.delete(name.toLowerCase());
    else headers.set(name.toLowerCase(), [name, value]);
  }
  return [...headers.values()];
}

export async function curlCommand(args: string[], openStore: (data: string | undefined) => Store, io: CurlIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      from: { type: "string" }, data: { type: "string" }, include: { type: "boolean", short: "i" }, verbose: { type: "boolean", short: "v" },
      fail: { type: "boolean", short: "f" }, silent: { type: "boolean", short: "s" }, request: { type: "string", short: "X" },
      header: { type: "string", short: "H", multiple: true }, "data-raw": { type: "string", short: "d" },
      "connect-timeout": { type: "string" }, "max-time": { type: "string" },
    },
  });
  if (!values.from || positionals.length !== 1) throw new UsageError(USAGE);
  const { url, target } = parseUrl(positionals[0]!);
  const body = values["data-raw"] !== undefined ? Buffer.from(values["data-raw"]) : undefined;
  const spec: HttpSpec = {
    method: (values.request ?? (body ? "POST" : "GET")).toUpperCase(),
    path: `${url.pathname}${url.search}`,
    headers: requestHeaders(url, values.header ?? [], body),
    connectTimeoutMs: seconds(values["connect-timeout"], "connect-timeout", 5),
    maxTimeMs: seconds(values["max-time"], "max-time", 0),
    ...(body ? { body } : {}),
  };
  const store = openStore(values.data);
  const { planner, label } = plannerFor(store, values.from, target);
  // The answer `vpclab trace` shows as the next: the target's rotation counter, which each request
  // advances as `vpclab dig` and the DNS server do, so that successive requests take successive
  // DNS answers and load-balancer targets, as successive connections to a real NLB spread.
  const rotation = takeRotation(store, target);
  const fail = (code: number, lines: string[]): number => {
    io.err(`curl: (${code}) ${lines.join("\n")}`);
    return code;
  };

  // A backend that refuses is held down and the flow planned again: behind a load balancer the
  // trace then picks another target; to a single instance it gives the same one, and that is the answer.
  const memory = new DownMemory();
  const refused: string[] = [];
  for (;;) {
    const plan = planner.plan(rotation, memory.health);
    if (values.verbose) io.err(renderTrace(plan.trace, label).split("\n").map((l) => `* ${l}`).join("\n"));
    if (plan.kind === "unresolved") return fail(6, [`Could not resolve host: ${target.host ?? "?"}`, ...whyNot(plan, label)]);
    if (plan.kind !== "deliver") return fail(7, [`Failed to connect to ${url.hostname} port ${target.port}`, ...whyNot(plan, label)]);
    if (refused.some((r) => r.startsWith(`${plan.address} `))) {
      return fail(7, [`Failed to connect to ${url.hostname} port ${target.port}: target ${deliveryLabel(plan.delivery)} is unhealthy`,
        `  its real server ${refused.join("; ")}: start it, or change the instance's vpclab:backend tag`]);
    }
    if (values.verbose) io.err(`* delivered to ${deliveryLabel(plan.delivery)}: connecting to its real server ${plan.address}`);
    let head: HttpHead | undefined;
    const outcome = await exchange(plan.backend, spec, (h) => {
      head = h;
      if (values.verbose) io.err(`< ${headText(h).trimEnd().split("\r\n").join("\n< ")}`);
      if (values.include) io.out(headText(h));
    }, (chunk) => {
      if (!(values.fail && head && head.status >= 400)) io.out(chunk);
    });
    if (outcome.kind === "down") {
      memory.markDown(plan.address);
      refused.push(`${plan.address} does not accept connections (${outcome.code})`);
      continue;
    }
    if (outcome.kind === "failed") return fail(outcome.exit, [outcome.message]);
    if (values.fail && outcome.head.status >= 400) return fail(22, [`The requested URL returned error: ${outcome.head.status}`]);
    return 0;
  }
}
