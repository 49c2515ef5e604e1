// What CLI commands share: the data directory and store, finding a source by name, id or
// address, and errors that are the user's to fix (printed without a stack, exit code 2).
import type { Store } from "../state/store.js";
import { SqliteStore } from "../state/sqlite.js";
import { replayEntry } from "../server/engine.js";
import { containsIp, parseCidr, parseIpv4 } from "../model/net.js";
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
  return new SqliteStore(dataDir(data), replayEntry);
}

export function dataDir(data: string | undefined): string {
  return data ?? process.env["VPCLAB_DATA"] ?? ".vpclab";
}

export interface ResolvedSource { source: TraceSource; asker: Asker; label: string }

/** `--from`: an instance (Name tag or id), an ENI id, a private IP, or an on-premises network (name[@ip]). */
/** `--from`: an instance (its Name tag or id), an ENI id, a private IP, or an on-premises network (NAME or NAME@IP). */
export function findSource(view: NetworkView, from: string): ResolvedSource {
  const world: World = view.world;
  const [name, at, ...extra] = from.split("@") as [string, string | undefined, ...string[]];
  if (extra.length > 0) throw new UsageError(`cannot read '${from}' as a source`);
  if (world.networkInterfaces.size === 0 && world.vpnConnections.size === 0) {
    throw new UsageError("the world is empty: apply a lab file first (vpclab apply examples/lab1-gateway-endpoint.yaml)");
  }
  const named = [...world.instances.values()].filter((i) => i.state === "running" && (i.id === name || i.tags.some((t) => t.key === "Name" && t.value === name)));
  if (named.length > 1) {
    throw new UsageError(`several running instances are named '${name}': ${named.map((i) => `${i.id} (${i.region}, account ${i.ownerId})`).join(", ")}; use an id`);
  }
  const inst = named[0] ?? (name.startsWith("i-") ? world.instances.get(name) : [...world.instances.values()].find((i) => i.tags.some((t) => t.key === "Name" && t.value === name)));
  if (inst) {
    if (inst.state !== "running") throw new UsageError(`instance ${from} is ${inst.state}`);
    if (at !== undefined) throw new UsageError(`'${name}@${at}': an instance traces from its own address; NAME@IP is for on-premises networks`);
    const label = inst.tags.find((t) => t.key === "Name")?.value ?? inst.id;
    return { source: { kind: "eni", eniId: inst.networkInterfaceId }, asker: { vpcId: inst.vpcId, component: { id: inst.id, type: "instance", name: label } }, label: `${label} (${inst.id}, ${inst.privateIpAddress})` };
  }
  const eni = name.startsWith("eni-") ? world.networkInterfaces.get(name) : undefined;
  if (eni) return { source: { kind: "eni", eniId: eni.id }, asker: { vpcId: eni.vpcId, component: { id: eni.id, type: "network-interface" } }, label: `${eni.id} (${eni.privateIpAddress})` };
  const vpnId = name.startsWith("vpn-") ? name : view.byName("vpnConnections", name);
  const vpn = vpnId ? world.vpnConnections.get(vpnId) : undefined;
  if (vpn) {
    if (at !== undefined) {
      const ip = parseIpv4(at);
      if (ip === undefined) throw new UsageError(`'${at}' is not an IPv4 address`);
      if (!vpn.staticRoutes.some((c) => containsIp(parseCidr(c)!, ip))) throw new UsageError(`${at} is not in ${name}'s networks (${vpn.staticRoutes.join(", ")})`);
    }
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

/** HOST:PORT (an IPv4 address or a DNS name); the port defaults to 443, the AWS APIs' port. */
export function parseTarget(to: string, protocol: string): { host?: string; ip?: string; port: number } {
  const colon = to.lastIndexOf(":");
  const host = colon < 0 ? to : to.slice(0, colon);
  const portText = colon < 0 ? "443" : to.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText)) throw new UsageError(`cannot read '${to}' as HOST:PORT: '${portText}' is not a port`);
  const port = Number(portText);
  const lowest = protocol === "icmp" ? 0 : 1;
  if (port < lowest || port > 65535) throw new UsageError(`port ${port} is out of range (${lowest}-65535)`);
  if (host.length === 0 || /[\s/@]/.test(host)) throw new UsageError(`cannot read '${to}' as HOST:PORT`);
  return parseIpv4(host) !== undefined ? { ip: host, port } : { host, port };
}

/**
 * The world's rotation counter a flow to this target reads (world.dnsRotation): the name as dig
 * and the DNS server count it, or the address, so that successive flows take successive DNS
 * answers and load-balancer targets.
 */
export function rotationKey(target: { host?: string; ip?: string }): string {
  return target.host !== undefined ? target.host.toLowerCase().replace(/\.$/, "") : target.ip ?? "";
}

/** The rotation for one more flow to the target, advancing its counter under the write lock, as dig does. */
export function takeRotation(store: Store, target: { host?: string; ip?: string }): number {
  const key = rotationKey(target);
  let n = 0;
  store.update((world) => {
    n = world.dnsRotation.get(key) ?? 0;
    world.dnsRotation.set(key, n + 1);
    return world;
  });
  return n;
}
