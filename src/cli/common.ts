// What CLI commands share: the data directory and store, finding a source by name, id or
// address, and errors that are the user's to fix (printed without a stack, exit code 2).
import { FileStore, type Store } from "../state/store.js";
import { parseIpv4 } from "../model/net.js";
import type { World } from "../model/world.js";
import type { NetworkView } from "../analysis/view.js";
import type { TraceSource } from "../analysis/trace.js";
import type { Asker } from "../analysis/dns.js";

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export function storeFor(data: string | undefined): Store {
  return new FileStore(data ?? process.env["VPCLAB_DATA"] ?? ".vpclab");
}

export interface ResolvedSource { source: TraceSource; asker: Asker; label: string }

/** `--from`: an instance (Name tag or id), an ENI id, a private IP, or an on-premises network (name[@ip]). */
export function findSource(view: NetworkView, from: string): ResolvedSource {
  const world: World = view.world;
  const [name, at] = from.split("@") as [string, string | undefined];
  const instanceId = name.startsWith("i-") ? name : view.byName("instances", name);
  const inst = instanceId ? world.instances.get(instanceId) : undefined;
  if (inst) {
    if (inst.state !== "running") throw new UsageError(`instance ${from} is ${inst.state}`);
    return { source: { kind: "eni", eniId: inst.networkInterfaceId }, asker: { vpcId: inst.vpcId, component: { id: inst.id, type: "instance", name } }, label: `${name} (${inst.id}, ${inst.privateIpAddress})` };
  }
  const eni = name.startsWith("eni-") ? world.networkInterfaces.get(name) : undefined;
  if (eni) return { source: { kind: "eni", eniId: eni.id }, asker: { vpcId: eni.vpcId, component: { id: eni.id, type: "network-interface" } }, label: `${eni.id} (${eni.privateIpAddress})` };
  const vpnId = name.startsWith("vpn-") ? name : view.byName("vpnConnections", name);
  const vpn = vpnId ? world.vpnConnections.get(vpnId) : undefined;
  if (vpn) {
    if (at !== undefined && parseIpv4(at) === undefined) throw new UsageError(`'${at}' is not an IPv4 address`);
    return { source: { kind: "vpn", vpnConnectionId: vpn.id, ...(at ? { ip: at } : {}) }, asker: { component: { id: vpn.id, type: "vpn-connection", name } }, label: `on-premises ${name} (${vpn.id})` };
  }
  const ip = parseIpv4(name);
  if (ip !== undefined) {
    const owners = [...world.vpcs.keys()].map((v) => view.eniAt(v, ip)).filter((e) => e !== undefined);
    if (owners.length === 1) return findSource(view, owners[0]!.attachment?.instanceId ?? owners[0]!.id);
    if (owners.length > 1) throw new UsageError(`${name} is used in several VPCs; name the instance instead`);
  }
  throw new UsageError(`no instance, network interface or on-premises network named '${from}' (see 'vpclab show')`);
}

/** host:port, [v6]:port is not supported; the port defaults to 443. */
export function parseTarget(to: string): { host?: string; ip?: string; port: number } {
  const m = /^(.+?)(?::(\d{1,5}))?$/.exec(to);
  if (!m) throw new UsageError(`cannot read '${to}' as host:port`);
  const port = m[2] === undefined ? 443 : Number(m[2]);
  if (port < 0 || port > 65535) throw new UsageError(`port ${port} is out of range`);
  const host = m[1]!;
  return parseIpv4(host) !== undefined ? { ip: host, port } : { host, port };
}
