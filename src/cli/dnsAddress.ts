// vpclab dns-address VPC: where `vpclab up` answers DNS as that VPC's Route 53 Resolver, so
// that dig, a stub resolver or an application can ask it directly (see docs/DNS.md).
import { resolverAddress } from "../analysis/dns.js";
import { dnsPortOf } from "../live/dns.js";
import type { Vpc } from "../model/types.js";
import type { Store } from "../state/store.js";
import { UsageError } from "./common.js";
import { dim } from "./render.js";

/** The DNS server listens on loopback only. */
const HOST = "127.0.0.1";

export function dnsAddressCommand(store: Store, args: string[], basePort: number, json: boolean, out: (s: string) => void): void {
  const [ref, ...extra] = args;
  if (ref === undefined || extra.length > 0) throw new UsageError("usage: vpclab dns-address VPC [--dns-port PORT] [--output json]");
  const world = store.load();
  const vpc = findVpc(world.vpcs.values(), ref);
  const port = dnsPortOf(vpc, basePort);
  if (port === undefined) throw new UsageError(`${vpc.id} has no DNS port with base port ${basePort} (DNS index ${vpc.dnsIndex ?? "missing"}); choose a lower --dns-port`);
  if (json) {
    out(JSON.stringify({ vpcId: vpc.id, host: HOST, port, resolver: resolverAddress(vpc) }, null, 2));
    return;
  }
  out(`${HOST} ${port}`);
  // A name worth asking: an endpoint's private DNS name in this VPC, else the Region's S3.
  const privateName = world.vpcEndpoints.inVpc(vpc.id)
    .filter((e) => e.privateDnsEnabled)
    .flatMap((e) => e.dnsEntries.map((d) => d.dnsName))
    .find((n) => !n.startsWith("*.") && !n.endsWith(".vpce.amazonaws.com"));
  out(dim(`dig @${HOST} -p ${port} ${privateName ?? `s3.${vpc.region}.amazonaws.com`}`));
}

/** A VPC by id or Name tag; several VPCs with the same name must be told apart by id. */
function findVpc(vpcs: Iterable<Vpc>, ref: string): Vpc {
  const all = [...vpcs];
  const byId = all.find((v) => v.id === ref);
  if (byId) return byId;
  const named = all.filter((v) => v.tags.some((t) => t.key === "Name" && t.value === ref));
  if (named.length > 1) throw new UsageError(`several VPCs are named '${ref}': ${named.map((v) => `${v.id} (${v.region}, account ${v.ownerId})`).join(", ")}; use an id`);
  if (named.length === 0) throw new UsageError(`no VPC with id or Name '${ref}' (see 'vpclab show')`);
  return named[0]!;
}
