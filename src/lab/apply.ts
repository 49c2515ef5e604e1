// `vpclab apply FILE`: makes the world match a declarative lab file, by name. Resources are found
// by their Name tag; missing ones are created, declared attributes are reconciled, nothing
// undeclared is deleted. Everything goes through the control operations (so AWS's validation
// applies) on a copy of the world, which replaces the original only if every step succeeded.
import { parseDocument } from "yaml";
import { IdGenerator } from "../model/ids.js";
import { World, COLLECTION_NAMES } from "../model/world.js";
import { findRegion, regions } from "../model/catalog/index.js";
import { LabError, type Obj, type Path, obj, str } from "./reader.js";
import { LineCounter, locate } from "./position.js";
import { LabSession } from "./session.js";
import { internetGateways, networkAcls, onPremises, peerings, routeTables, routes, subnets, vpcs, vpnGateways } from "./network.js";
import { endpoints, instances, natGateways, securityGroups } from "./workloads.js";
import { loadBalancers, targetGroups } from "./loadBalancing.js";
import { connections, endpointServices } from "./privatelink.js";

const SECTIONS = ["region", "account", "seed", "description", "vpcs", "internetGateways", "vpnGateways", "subnets", "routeTables", "securityGroups", "networkAcls", "instances", "natGateways", "peerings", "onPremises", "targetGroups", "loadBalancers", "endpointServices", "endpoints"] as const;

export interface ApplyResult { world: World; created: string[]; changed: string[] }

/** A lab-file error with its position, already formatted as `file:line:col: key.path: message`. */
export class LabFileError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = "LabFileError";
  }
}

export function applyLab(world: World, text: string, file: string): ApplyResult {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = counter.linePos(e.pos[0]);
    throw new LabFileError(`${file}:${pos.line}:${pos.col}: invalid YAML: ${e.message.split("\n")[0]}`);
  }
  const at = (path: Path): string => {
    const pos = locate(doc, counter, path);
    return `${file}${pos ? `:${pos.line}:${pos.col}` : ""}: ${path.join(".")}`;
  };
  try {
    return run(world.clone(), obj(doc.toJS() as unknown, [], SECTIONS));
  } catch (e) {
    if (e instanceof LabError) throw new LabFileError(`${at(e.path)}: ${e.code ? `${e.code}: ` : ""}${e.message}`, e.code);
    throw e;
  }
}

/**
 * Sections in dependency order: peerings before groups that reference peered groups; target
 * groups after their instances, load balancers after their target groups, services after their
 * load balancers, endpoints after services (and DNS attributes), routes after every target
 * (Gateway Load Balancer endpoints included), and the provider's decisions on connections last.
 */
function run(copy: World, spec: Obj): ApplyResult {
  const region = str(spec, "region", []);
  const account = str(spec, "account", [], true) ?? "000000000000";
  if (!/^\d{12}$/.test(account)) throw new LabError(["account"], "account must be a 12-digit AWS account id");
  if (!findRegion(region)) {
    throw new LabError(["region"], `unknown region '${region}'; vpclab knows ${regions().map((r) => r.name).join(", ")}`);
  }
  const seed = str(spec, "seed", [], true);
  const world = seed !== undefined && COLLECTION_NAMES.every((c) => copy.collection(c).size === 0) ? new World(IdGenerator.fresh(seed)) : copy;
  const s = new LabSession(world, { world, account, region }, spec);
  for (const section of [
    vpcs, peerings, internetGateways, vpnGateways, subnets, routeTables, securityGroups, networkAcls, instances, natGateways, onPremises,
    targetGroups, loadBalancers, endpointServices, endpoints, routes, connections,
  ]) {
    section(s);
  }
  return { world, created: s.created, changed: s.changed };
}
