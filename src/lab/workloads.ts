// Lab-file sections for what runs in the network: security groups, instances, NAT gateways
// and VPC endpoints.
import { findPrefixList, prefixListsIn } from "../model/catalog/index.js";
import { allocateAddress, createNatGateway } from "../control/gateways.js";
import { createSecurityGroup, replaceRules, type IpPermission } from "../control/securityGroups.js";
import { modifyNetworkInterface, runInstances } from "../control/instances.js";
import { createVpcEndpoint, modifyVpcEndpoint } from "../control/endpoints.js";
import { MAX_TAGS, checkTag } from "../control/tags.js";
import { BACKEND_TAG, parseBackendTag } from "../model/backends.js";
import type { Tag } from "../model/types.js";
import { LabError, type Obj, type Path, bool, isObj, list, obj, ports, str, strList } from "./reader.js";
import type { LabSession } from "./session.js";
import { serviceNameOf } from "./privatelink.js";

function permissions(s: LabSession, rules: unknown[] | undefined, path: Path, vpcId: string): IpPermission[] {
  return (rules ?? []).map((r, i) => {
    const rp = [...path, i];
    const o = obj(r, rp, ["protocol", "port", "ports", "cidr", "group", "prefixList", "description"]);
    const protocol = str(o, "protocol", rp, true) ?? "tcp";
    const range = ports(o, rp);
    const perm: IpPermission = { ipProtocol: protocol, ...(range ? { fromPort: range.from, toPort: range.to } : {}) };
    const cidr = str(o, "cidr", rp, true);
    const group = str(o, "group", rp, true);
    const pl = str(o, "prefixList", rp, true);
    if ([cidr, group, pl].filter((x) => x !== undefined).length !== 1) throw new LabError(rp, "a rule needs exactly one of 'cidr', 'group' or 'prefixList'");
    if (cidr !== undefined) perm.ipRanges = [{ cidrIp: cidr, ...(str(o, "description", rp, true) ? { description: str(o, "description", rp) } : {}) }];
    if (group !== undefined) perm.groupIds = [s.sgRef(group, vpcId, [...rp, "group"])];
    if (pl !== undefined) {
      const id = pl.startsWith("pl-") ? pl : prefixListsIn(s.ctx.region).find((p) => p.name === pl)?.id;
      if (!id || !findPrefixList(s.ctx.region, id)) throw new LabError([...rp, "prefixList"], `no prefix list '${pl}' in ${s.ctx.region}`);
      perm.prefixListIds = [id];
    }
    if ((protocol === "tcp" || protocol === "udp") && !range) throw new LabError(rp, `a ${protocol} rule needs 'port' or 'ports'`);
    return perm;
  });
}

export function securityGroups(s: LabSession): void {
  const groups = s.section("securityGroups");
  for (const [name, v] of groups) {
    const path = ["securityGroups", name];
    obj(v, path, ["vpc", "description", "ingress", "egress"]);
    const vpcId = s.ref("vpcs", str(v, "vpc", path), [...path, "vpc"]);
    s.findOrCreateInVpc("securityGroups", name, vpcId, path, "security group", () => createSecurityGroup(s.ctx, { groupName: name, description: str(v, "description", path, true) ?? name, vpcId, tags: s.tags(name) }).id);
  }
  for (const [name, v] of groups) {
    const path = ["securityGroups", name];
    const id = s.ref("securityGroups", name, path);
    const vpcId = s.world.securityGroups.get(id)!.vpcId;
    // A direction whose list is omitted keeps its rules (a new group: none in, all out, as on AWS).
    const before = s.world.securityGroups.get(id)!.rules.map((r) => r.id).join();
    for (const [key, egress] of [["ingress", false], ["egress", true]] as const) {
      const rules = list(v, key, path);
      if (rules === undefined) continue;
      const perms = permissions(s, rules, [...path, key], vpcId);
      s.step([...path, key], () => replaceRules(s.ctx, id, egress, perms));
    }
    const after = s.world.securityGroups.get(id)!.rules.map((r) => r.id).join();
    if (before !== after && !s.created.some((c) => c.includes(`(${id})`))) s.changed.push(`security group ${name}: rules updated`);
  }
}

/**
 * The tags an instance declares besides its Name: `tags:` as given, and `backend:` as the
 * vpclab:backend tag (a string as it is, a map of ports as PORT=HOST:PORT pairs), checked the way
 * the data plane will read it so that a typo fails here rather than at the first connection.
 */
function instanceTags(s: LabSession, v: Obj, path: Path): Tag[] {
  const out: Tag[] = [];
  const tp = [...path, "tags"];
  for (const [key, value] of Object.entries(obj(v["tags"], tp))) {
    if (key === "Name") throw new LabError([...tp, key], "the Name tag is the instance's key in the file");
    if (key === BACKEND_TAG) throw new LabError([...tp, key], `declare the real server with 'backend:' rather than the ${BACKEND_TAG} tag`);
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") throw new LabError([...tp, key], "a tag value must be a string");
    out.push({ key, value: String(value) });
  }
  const raw = v["backend"];
  if (raw !== undefined && raw !== null) {
    const bp = [...path, "backend"];
    const text = isObj(raw)
      ? Object.entries(raw).map(([port, address]) => {
        if (typeof address !== "string") throw new LabError([...bp, port], "expected HOST:PORT, for example 127.0.0.1:8080");
        return `${port}=${address}`;
      }).join(",")
      : str(v, "backend", path);
    const parsed = parseBackendTag(text);
    if ("error" in parsed) throw new LabError(bp, `${parsed.error}; expected HOST:PORT (127.0.0.1:8080) or a map of ports ({80: 127.0.0.1:8080})`);
    out.push({ key: BACKEND_TAG, value: text });
  }
  for (const t of out) s.step(t.key === BACKEND_TAG ? [...path, "backend"] : [...tp, t.key], () => checkTag(t));
  return out;
}

/**
 * Sets the declared tags that differ (CreateTags' semantics: other tags stay); true if any did.
 * CreateTags itself lives in protocol/ (it spans every kind of resource), which lab/ does not
 * import; its rules (control/tags.ts) were checked when the tags were read.
 */
function reconcileTags(s: LabSession, tags: Tag[], want: Tag[], path: Path): boolean {
  const missing = want.filter((w) => !tags.some((t) => t.key === w.key && t.value === w.value));
  const keys = new Set([...tags.map((t) => t.key), ...missing.map((t) => t.key)]);
  if (keys.size > MAX_TAGS) throw new LabError([...path, "tags"], "The maximum number of Tags for a resource has been reached.", "TagLimitExceeded");
  for (const w of missing) {
    const have = tags.find((t) => t.key === w.key);
    if (have) have.value = w.value;
    else tags.push({ ...w });
  }
  return missing.length > 0;
}

export function instances(s: LabSession): void {
  for (const [name, v] of s.section("instances")) {
    const path = ["instances", name];
    obj(v, path, ["subnet", "privateIp", "publicIp", "securityGroups", "instanceType", "sourceDestCheck", "backend", "tags"]);
    const extraTags = instanceTags(s, v, path);
    const subnetId = s.ref("subnets", str(v, "subnet", path), [...path, "subnet"]);
    const vpcId = s.world.subnets.get(subnetId)!.vpcId;
    const groups = strList(v, "securityGroups", path).map((g, i) => s.sgRef(g, vpcId, [...path, "securityGroups", i]));
    const privateIp = str(v, "privateIp", path, true);
    let id = s.findByName("instances", name);
    if (!id) {
      id = s.step([...path, privateIp !== undefined ? "privateIp" : "subnet"], () => runInstances(s.ctx, {
        subnetId, securityGroupIds: groups, tags: [...s.tags(name), ...extraTags],
        ...(privateIp !== undefined ? { privateIpAddress: privateIp } : {}),
        ...(bool(v, "publicIp", path) !== undefined ? { associatePublicIpAddress: bool(v, "publicIp", path)! } : {}),
        ...(str(v, "instanceType", path, true) ? { instanceType: str(v, "instanceType", path) } : {}),
      })[0]!.id);
      s.created.push(`instance ${name} (${id})`);
    } else {
      const inst = s.world.instances.get(id)!;
      if (inst.subnetId !== subnetId || (privateIp !== undefined && inst.privateIpAddress !== privateIp)) {
        throw new LabError(path, `instance '${name}' exists in ${inst.subnetId} at ${inst.privateIpAddress}; its subnet and address cannot change`);
      }
      if (reconcileTags(s, inst.tags, extraTags, path)) s.changed.push(`instance ${name}: tags updated`);
    }
    const eniId = s.world.instances.get(id)!.networkInterfaceId;
    const eni = s.world.networkInterfaces.get(eniId)!;
    // Groups and the source/destination check are reconciled only when declared.
    const declaredGroups = v["securityGroups"] !== undefined && v["securityGroups"] !== null;
    const wantGroups = groups.length ? groups : [s.world.vpcs.get(vpcId)!.defaultSecurityGroupId];
    const groupChange = declaredGroups && wantGroups.join() !== eni.groupIds.join();
    const sdc = bool(v, "sourceDestCheck", path);
    const sdcChange = sdc !== undefined && sdc !== eni.sourceDestCheck;
    if (groupChange || sdcChange) {
      s.step([...path, groupChange ? "securityGroups" : "sourceDestCheck"], () => modifyNetworkInterface(s.ctx, eniId, { ...(groupChange ? { groupIds: wantGroups } : {}), ...(sdcChange ? { sourceDestCheck: sdc } : {}) }));
      if (!s.created.some((c) => c.includes(`(${id})`))) s.changed.push(`instance ${name}: ${[groupChange ? "security groups" : "", sdcChange ? `source/dest check ${sdc ? "on" : "off"}` : ""].filter(Boolean).join(", ")}`);
    }
  }
}

export function natGateways(s: LabSession): void {
  for (const [name, v] of s.section("natGateways")) {
    const path = ["natGateways", name];
    obj(v, path, ["subnet", "connectivity"]);
    const subnetId = s.ref("subnets", str(v, "subnet", path), [...path, "subnet"]);
    const connectivity = str(v, "connectivity", path, true) ?? "public";
    if (connectivity !== "public" && connectivity !== "private") throw new LabError([...path, "connectivity"], "connectivity must be 'public' or 'private'");
    const existing = s.findByName("natGateways", name);
    if (existing) {
      if (s.world.natGateways.get(existing)!.subnetId !== subnetId) throw new LabError(path, `NAT gateway '${name}' exists in another subnet; it cannot move`);
      continue;
    }
    const id = s.step(path, () => {
      const allocationId = connectivity === "public" ? allocateAddress(s.ctx, { tags: s.tags(`${name}-eip`) }).id : undefined;
      return createNatGateway(s.ctx, { subnetId, connectivityType: connectivity, tags: s.tags(name), ...(allocationId ? { allocationId } : {}) }).id;
    });
    s.created.push(`NAT gateway ${name} (${id})`);
  }
}

/** The key an endpoint's creation error belongs to, by AWS's code: the service or the subnets, else the endpoint. */
function stepAtKey<T>(s: LabSession, path: Path, fn: () => T): T {
  try {
    return s.step(path, fn);
  } catch (e) {
    if (!(e instanceof LabError) || e.path !== path) throw e;
    const subnets = e.code === "DuplicateSubnetsInSameZone" || /subnet/i.test(e.code ?? "") || (e.code === "InvalidParameter" && /\bsubnets?\b/i.test(e.message));
    const key = e.code === "InvalidServiceName" ? "service" : subnets ? "subnets" : undefined;
    throw key ? new LabError([...path, key], e.message, e.code) : e;
  }
}

export function endpoints(s: LabSession): void {
  for (const [name, v] of s.section("endpoints")) {
    const path = ["endpoints", name];
    obj(v, path, ["vpc", "service", "type", "routeTables", "subnets", "securityGroups", "privateDns", "policy"]);
    const vpcId = s.ref("vpcs", str(v, "vpc", path), [...path, "vpc"]);
    const serviceName = serviceNameOf(s, v, path);
    const type = str(v, "type", path, true) ?? "Gateway";
    const routeTableIds = strList(v, "routeTables", path).map((n, i) => s.ref("routeTables", n, [...path, "routeTables", i]));
    const subnetIds = strList(v, "subnets", path).map((n, i) => s.ref("subnets", n, [...path, "subnets", i]));
    const groupIds = strList(v, "securityGroups", path).map((n, i) => s.sgRef(n, vpcId, [...path, "securityGroups", i]));
    const privateDns = bool(v, "privateDns", path);
    const policyValue = v["policy"];
    const policy = policyValue === undefined || policyValue === null ? undefined : isObj(policyValue) ? JSON.stringify(policyValue) : str(v, "policy", path);
    const existing = s.findByName("vpcEndpoints", name);
    if (!existing) {
      const id = stepAtKey(s, path, () => createVpcEndpoint(s.ctx, {
        vpcId, serviceName, vpcEndpointType: type, routeTableIds, subnetIds, securityGroupIds: groupIds, tags: s.tags(name),
        ...(privateDns !== undefined ? { privateDnsEnabled: privateDns } : {}), ...(policy !== undefined ? { policyDocument: policy } : {}),
      }).id);
      // An endpoint to a service that requires acceptance waits for its provider: say so now.
      const waiting = s.world.vpcEndpoints.get(id)!.state === "pendingAcceptance" ? ", pendingAcceptance until the service's owner accepts it" : "";
      s.created.push(`endpoint ${name} (${id})${waiting}`);
      continue;
    }
    const ep = s.world.vpcEndpoints.get(existing)!;
    if (ep.vpcId !== vpcId || ep.serviceName !== serviceName || ep.vpcEndpointType !== type) {
      throw new LabError(path, `endpoint '${name}' exists as a ${ep.vpcEndpointType} endpoint for ${ep.serviceName} in ${ep.vpcId}; those cannot change`);
    }
    const diff = <T>(want: T[], have: T[]): [T[], T[]] => [want.filter((x) => !have.includes(x)), have.filter((x) => !want.includes(x))];
    // Only the lists the file declares are reconciled; an omitted one leaves the endpoint as it is.
    const declared = (key: string): boolean => v[key] !== undefined && v[key] !== null;
    const [addRt, removeRt] = declared("routeTables") ? diff(routeTableIds, ep.routeTableIds) : [[], []];
    const [addSn, removeSn] = declared("subnets") ? diff(subnetIds, ep.subnetIds) : [[], []];
    const [addSg, removeSg] = declared("securityGroups") && type === "Interface" ? diff(groupIds.length ? groupIds : [s.world.vpcs.get(vpcId)!.defaultSecurityGroupId], ep.groupIds) : [[], []];
    const dnsChange = privateDns !== undefined && privateDns !== ep.privateDnsEnabled;
    const policyChange = policy !== undefined && policy !== ep.policyDocument;
    if (addRt.length + removeRt.length + addSn.length + removeSn.length + addSg.length + removeSg.length === 0 && !dnsChange && !policyChange) continue;
    s.step(path, () => modifyVpcEndpoint(s.ctx, {
      vpcEndpointId: ep.id, addRouteTableIds: addRt, removeRouteTableIds: removeRt, addSubnetIds: addSn, removeSubnetIds: removeSn,
      addSecurityGroupIds: addSg, removeSecurityGroupIds: removeSg,
      ...(dnsChange ? { privateDnsEnabled: privateDns } : {}), ...(policyChange ? { policyDocument: policy } : {}),
    }));
    s.changed.push(`endpoint ${name} (${ep.id})`);
  }
}
