// Real local servers standing in for instances: the `vpclab:backend` tag on an instance (or on a
// network interface without one) says where a connection that reaches it is really delivered.
// The value is `HOST:PORT` for every port, or `PORT=HOST:PORT` pairs separated by commas for
// some ports: `127.0.0.1:8080` or `80=127.0.0.1:8080,443=127.0.0.1:8443`.
import type { Tag } from "./types.js";
import type { World } from "./world.js";

export const BACKEND_TAG = "vpclab:backend";

export interface Backend { host: string; port: number }

export type BackendMap = { any?: Backend; byPort: Map<number, Backend> };

function parseAddress(text: string): Backend | undefined {
  const m = /^\[?([^\]\s]+?)\]?:(\d{1,5})$/.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { host: m[1]!, port } : undefined;
}

/** Parses a tag value; an error names the part that is not HOST:PORT or PORT=HOST:PORT. */
export function parseBackendTag(value: string): BackendMap | { error: string } {
  const out: BackendMap = { byPort: new Map() };
  for (const part of value.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
    const eq = part.indexOf("=");
    if (eq < 0) {
      const any = parseAddress(part);
      if (!any) return { error: `'${part}' is not HOST:PORT` };
      out.any = any;
      continue;
    }
    const port = Number(part.slice(0, eq));
    const address = parseAddress(part.slice(eq + 1));
    if (!Number.isInteger(port) || port < 1 || port > 65535 || !address) return { error: `'${part}' is not PORT=HOST:PORT` };
    out.byPort.set(port, address);
  }
  if (!out.any && out.byPort.size === 0) return { error: "the value is empty" };
  return out;
}

function tagValue(tags: Tag[]): string | undefined {
  return tags.find((t) => t.key === BACKEND_TAG)?.value;
}

export type BackendLookup =
  | { found: true; backend: Backend; taggedOn: string }
  | { found: false; reason: string; taggedOn?: string };

/**
 * The real server behind an address in a VPC, on one port: the tag of the instance that owns
 * the address, else of its network interface.
 */
export function backendFor(world: World, vpcId: string, ip: string, port: number): BackendLookup {
  const eni = world.networkInterfaces.inVpc(vpcId).find((e) => e.privateIpAddress === ip);
  if (!eni) return { found: false, reason: `no network interface in ${vpcId} has ${ip}` };
  const inst = eni.attachment?.instanceId ? world.instances.get(eni.attachment.instanceId) : undefined;
  const owner = inst && tagValue(inst.tags) !== undefined ? inst : tagValue(eni.tags) !== undefined ? eni : undefined;
  if (!owner) return { found: false, reason: `${inst?.id ?? eni.id} has no ${BACKEND_TAG} tag, so no real server stands behind it` };
  const parsed = parseBackendTag(tagValue(owner.tags)!);
  if ("error" in parsed) return { found: false, reason: `the ${BACKEND_TAG} tag on ${owner.id} is malformed: ${parsed.error}`, taggedOn: owner.id };
  const backend = parsed.byPort.get(port) ?? parsed.any;
  if (!backend) return { found: false, reason: `the ${BACKEND_TAG} tag on ${owner.id} names no server for port ${port}`, taggedOn: owner.id };
  return { found: true, backend, taggedOn: owner.id };
}
