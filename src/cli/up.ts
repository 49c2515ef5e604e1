// `vpclab up`: the AWS-compatible API server (EC2, ELBv2, STS on one port) over the data
// directory's store, until interrupted. On SIGINT/SIGTERM it folds the journal into a checkpoint.
import { writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Engine, replayEntry } from "../server/engine.js";
import { createApiServer } from "../server/http.js";
import { MemoryStore, type Store } from "../state/store.js";
import { SqliteStore } from "../state/sqlite.js";
import { type DnsServer, startDnsServer } from "../live/dns.js";
import { HealthProber } from "../live/health.js";

export const DEFAULT_PORT = 4566;
export const DEFAULT_REGION = "us-east-1";
/** In the data directory: the DNS base port the server uses, so `vpclab dns-address` finds it. */
export const DNS_PORT_FILE = "dns.json";

export interface UpOptions {
  port: number;
  host: string;
  data: string;
  ephemeral: boolean;
  region: string;
  /** The DNS server's base port (public view); each VPC answers on base + its index. Undefined: no DNS server. */
  dnsPort?: number;
  out: (line: string) => void;
  /**
   * How often to probe the real servers behind registered load-balancer targets (their
   * vpclab:backend tags), for DescribeTargetHealth. 0 or undefined: no probing.
   */
  healthIntervalMs?: number;
}

export interface Running { port: number; store: Store; engine: Engine; dns?: DnsServer; health?: HealthProber; close(): Promise<void> }

export async function startServer(opts: UpOptions): Promise<Running> {
  const store: Store = opts.ephemeral ? new MemoryStore(replayEntry) : new SqliteStore(opts.data, replayEntry, (m) => opts.out(`warning: ${m}`));
  store.load();
  const engine = new Engine(store);
  const server = createApiServer({ engine, defaultRegion: opts.region });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let health: HealthProber | undefined;
  if (opts.healthIntervalMs) {
    health = new HealthProber({ world: () => store.load(), intervalMs: opts.healthIntervalMs, log: (l) => opts.out(`health: ${l}`) });
    engine.backendHealth = health.health;
  }
  let dns: DnsServer | undefined;
  if (opts.dnsPort !== undefined) {
    // pollMs: a lab applied or a state imported by another process gets its VPCs' listeners too.
    // The prober's health: load balancer names leave out zones whose real servers are all down.
    dns = await startDnsServer({
      host: opts.host, basePort: opts.dnsPort, world: () => store.load(), log: (l) => opts.out(`dns: ${l}`), pollMs: 1000,
      ...(health ? { backendHealth: health.health } : {}),
    }).catch((e: unknown) => {
      health?.close();
      throw e;
    });
    if (!opts.ephemeral) writeFileSync(join(opts.data, DNS_PORT_FILE), `${JSON.stringify({ basePort: opts.dnsPort })}\n`);
  }
  const sync = dns?.sync.bind(dns);
  const prober = health;
  // A new VPC gets its DNS listeners; newly registered targets are probed at once, not a round later.
  if (sync || prober) {
    engine.onChange = () => {
      if (sync) void sync();
      if (prober) void prober.check();
    };
  }
  opts.out(`vpclab API listening on http://${opts.host}:${port} (EC2, ELBv2, STS; state ${opts.ephemeral ? "in memory" : `in ${opts.data}`})`);
  return {
    port, store, engine, ...(dns ? { dns } : {}), ...(health ? { health } : {}),
    close: async () => {
      health?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await dns?.close();
      store.close();
    },
  };
}

export async function upCommand(opts: UpOptions): Promise<void> {
  const running = await startServer(opts);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    running.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
