// vpclab connect --from SOURCE HOST:PORT [--listen 127.0.0.1:PORT]: a loopback port where any
// client program's TCP connections are carried as SOURCE's connections to HOST:PORT would be;
// each one traced on the world as it is at that moment, admitted or refused, one log line each.
import { parseArgs } from "node:util";
import { parseIpv4 } from "../model/net.js";
import { HealthProber } from "../live/health.js";
import { type Proxy, startProxy } from "../live/proxy.js";
import type { Store } from "../state/store.js";
import { parseTarget, UsageError } from "./common.js";
import { plannerFor } from "./flow.js";

const USAGE = "usage: vpclab connect --from SOURCE HOST:PORT [--listen 127.0.0.1:PORT] [--connect-timeout S] [--health-interval S] [--quiet]";

export interface ConnectIo { out: (line: string) => void; err: (line: string) => void }

/** --listen: HOST:PORT, :PORT or PORT; loopback and a free port by default. */
function parseListen(text: string | undefined): { host: string; port: number } {
  if (text === undefined) return { host: "127.0.0.1", port: 0 };
  const colon = text.lastIndexOf(":");
  const host = colon < 0 ? "127.0.0.1" : text.slice(0, colon).replace(/^\[|\]$/g, "") || "127.0.0.1";
  const portText = colon < 0 ? text : text.slice(colon + 1);
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65535) throw new UsageError(`--listen takes HOST:PORT, not '${text}'`);
  return { host, port };
}

/** Starts the listener; the caller keeps the process running until it closes it. */
export async function connectCommand(args: string[], openStore: (data: string | undefined) => Store, io: ConnectIo): Promise<{ proxy: Proxy; close(): Promise<void> }> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      from: { type: "string" }, to: { type: "string" }, data: { type: "string" }, listen: { type: "string" },
      "connect-timeout": { type: "string" }, "health-interval": { type: "string" }, quiet: { type: "boolean", short: "q" },
    },
  });
  const to = values.to ?? positionals[0];
  if (!values.from || to === undefined || positionals.length > (values.to === undefined ? 1 : 0)) throw new UsageError(USAGE);
  if (!/:\d+$/.test(to)) throw new UsageError(`say which port: ${to}:PORT`);
  const target = parseTarget(to, "tcp");
  const listen = parseListen(values.listen);
  const timeout = values["connect-timeout"] === undefined ? 3 : Number(values["connect-timeout"]);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--connect-timeout takes seconds, not '${values["connect-timeout"] ?? ""}'`);
  const interval = values["health-interval"] === undefined ? 5 : Number(values["health-interval"]);
  if (!Number.isFinite(interval) || interval < 0) throw new UsageError(`--health-interval takes seconds (0: no probing), not '${values["health-interval"] ?? ""}'`);
  const store = openStore(values.data);
  const { planner, label } = plannerFor(store, values.from, target.ip !== undefined ? { ip: target.ip, port: target.port } : { host: target.host!, port: target.port });
  // Behind a load balancer, targets whose real server is down are skipped as the load balancer
  // skips unhealthy targets: known from this prober, and from connections that just failed.
  const prober = interval > 0 ? new HealthProber({ world: () => store.load(), intervalMs: interval * 1000 }) : undefined;
  const proxy = await startProxy({
    host: listen.host, port: listen.port, planner, connectTimeoutMs: timeout * 1000,
    ...(values.quiet ? {} : { log: io.err }), ...(prober ? { health: prober.health } : {}),
  }).catch((e: unknown) => {
    prober?.close();
    throw e;
  });
  const shown = parseIpv4(proxy.host) !== undefined ? proxy.host : `[${proxy.host}]`;
  io.out(`listening on ${shown}:${proxy.port}: each connection is ${label}'s connection to ${to}, traced as it opens (Ctrl-C stops)`);
  return {
    proxy,
    close: async () => {
      prober?.close();
      await proxy.close();
      store.close();
    },
  };
}
