// Lab-file sections for Elastic Load Balancing: target groups with their targets, and network or
// gateway load balancers with their listeners. ELBv2 resources carry no Name tag: the file's
// names are their ELBv2 names, and a reference is a name or an ARN.
import { type HealthCheckInput, createTargetGroup, deregisterTargets, modifyTargetGroup, registerTargets, resolveHealthCheck } from "../control/targetGroups.js";
import type { TargetInput } from "../control/targetRegistration.js";
import { createLoadBalancer } from "../control/loadBalancers.js";
import { modifyLoadBalancerAttributes } from "../control/loadBalancerAttributes.js";
import { setSecurityGroups, setSubnets } from "../control/loadBalancerChanges.js";
import { createListener, deleteListener, modifyListener } from "../control/listeners.js";
import type { TargetGroup } from "../model/loadBalancing.js";
import { LabError, type Obj, type Path, bool, isObj, list, num, obj, str, strList } from "./reader.js";
import type { LabSession } from "./session.js";

const CROSS_ZONE = "load_balancing.cross_zone.enabled";

/** `healthCheck:` in the file's words, as CreateTargetGroup's parameters. */
function healthCheckInput(v: Obj, path: Path): HealthCheckInput | undefined {
  if (v["healthCheck"] === undefined || v["healthCheck"] === null) return undefined;
  const hp = [...path, "healthCheck"];
  const h = obj(v["healthCheck"], hp, ["enabled", "protocol", "port", "path", "interval", "timeout", "healthyThreshold", "unhealthyThreshold", "httpCode"]);
  const out: HealthCheckInput = {};
  const set = <K extends keyof HealthCheckInput>(key: K, value: HealthCheckInput[K] | undefined): void => {
    if (value !== undefined) out[key] = value;
  };
  set("healthCheckEnabled", bool(h, "enabled", hp));
  set("healthCheckProtocol", str(h, "protocol", hp, true));
  set("healthCheckPort", str(h, "port", hp, true));
  set("healthCheckPath", str(h, "path", hp, true));
  set("healthCheckIntervalSeconds", num(h, "interval", hp));
  set("healthCheckTimeoutSeconds", num(h, "timeout", hp));
  set("healthyThresholdCount", num(h, "healthyThreshold", hp));
  set("unhealthyThresholdCount", num(h, "unhealthyThreshold", hp));
  const code = str(h, "httpCode", hp, true);
  if (code !== undefined) out.matcher = { httpCode: code };
  return out;
}

/** One `targets:` entry: an instance name or id, an address (ip groups), or a mapping with a port. */
function targetOf(s: LabSession, tg: TargetGroup, entry: unknown, path: Path): TargetInput {
  if (typeof entry === "string") return { id: tg.targetType === "ip" ? entry : s.ref("instances", entry, path) };
  const o = obj(entry, path, ["instance", "ip", "port", "availabilityZone"]);
  const instance = str(o, "instance", path, true);
  const ip = str(o, "ip", path, true);
  if ((instance === undefined) === (ip === undefined)) throw new LabError(path, "a target needs exactly one of 'instance' or 'ip'");
  const port = num(o, "port", path);
  const az = str(o, "availabilityZone", path, true);
  return { id: instance !== undefined ? s.ref("instances", instance, [...path, "instance"]) : ip!, ...(port !== undefined ? { port } : {}), ...(az !== undefined ? { availabilityZone: az } : {}) };
}

export function targetGroups(s: LabSession): void {
  for (const [name, v] of s.section("targetGroups")) {
    const path = ["targetGroups", name];
    obj(v, path, ["vpc", "protocol", "port", "targetType", "healthCheck", "targets"]);
    const vpcId = s.ref("vpcs", str(v, "vpc", path), [...path, "vpc"]);
    const protocol = str(v, "protocol", path, true) ?? "TCP";
    // Gateway load balancers speak GENEVE on 6081 only, so the port goes without saying there.
    const port = num(v, "port", path) ?? (protocol === "GENEVE" ? 6081 : undefined);
    const targetType = str(v, "targetType", path, true) ?? "instance";
    const hc = healthCheckInput(v, path);
    let arn = s.findElb("targetGroups", name);
    if (!arn) {
      if (port === undefined) throw new LabError([...path, "port"], "missing required key 'port'");
      arn = s.step(path, () => createTargetGroup(s.ctx, { name, protocol, port, vpcId, targetType, ...hc }).id);
      s.created.push(`target group ${name} (${arn})`);
    } else {
      const tg = s.world.targetGroups.get(arn)!;
      if (tg.vpcId !== vpcId || tg.protocol !== protocol || (port !== undefined && tg.port !== port) || tg.targetType !== targetType) {
        throw new LabError(path, `target group '${name}' exists as ${tg.protocol} ${tg.port} (${tg.targetType} targets) in ${tg.vpcId}; its VPC, protocol, port and target type cannot change`);
      }
      if (hc && JSON.stringify(s.step([...path, "healthCheck"], () => resolveHealthCheck(tg.protocol, tg.targetType, hc, tg.healthCheck))) !== JSON.stringify(tg.healthCheck)) {
        s.step([...path, "healthCheck"], () => modifyTargetGroup(s.ctx, tg.id, hc));
        s.changed.push(`target group ${name}: health check`);
      }
    }
    const entries = list(v, "targets", path);
    if (entries !== undefined) reconcileTargets(s, name, s.world.targetGroups.get(arn)!, entries, [...path, "targets"]);
  }
}

/** The declared targets replace the registered ones: missing ones registered, others deregistered. */
function reconcileTargets(s: LabSession, name: string, tg: TargetGroup, entries: unknown[], path: Path): void {
  const wanted = entries.map((e, i) => ({ i, t: targetOf(s, tg, e, [...path, i]) }));
  const key = (t: { id: string; port?: number }): string => `${t.id}:${t.port ?? tg.port}`;
  const stale = tg.targets.filter((t) => !wanted.some((w) => key(w.t) === key(t)));
  if (stale.length > 0) {
    s.step(path, () => deregisterTargets(s.ctx, tg.id, stale.map((t) => ({ id: t.id, port: t.port }))));
    if (!s.isNew(tg.id)) s.changed.push(`target group ${name}: deregistered ${stale.map(key).join(", ")}`);
  }
  for (const { i, t } of wanted) {
    if (tg.targets.some((x) => key(x) === key(t))) continue;
    s.step([...path, i], () => registerTargets(s.ctx, tg.id, [t]));
    if (!s.isNew(tg.id)) s.changed.push(`target group ${name}: registered ${key(t)}`);
  }
}

export function loadBalancers(s: LabSession): void {
  for (const [name, v] of s.section("loadBalancers")) {
    const path = ["loadBalancers", name];
    obj(v, path, ["type", "scheme", "subnets", "securityGroups", "crossZone", "listeners"]);
    const type = str(v, "type", path, true) ?? "network";
    const scheme = str(v, "scheme", path, true);
    const subnetIds = strList(v, "subnets", path).map((n, i) => s.ref("subnets", n, [...path, "subnets", i]));
    const vpcOf = subnetIds.length > 0 ? s.world.subnets.get(subnetIds[0]!)?.vpcId : undefined;
    const groupIds = strList(v, "securityGroups", path).map((n, i) => (vpcOf ? s.sgRef(n, vpcOf, [...path, "securityGroups", i]) : s.ref("securityGroups", n, [...path, "securityGroups", i])));
    let arn = s.findElb("loadBalancers", name);
    if (!arn) {
      if (subnetIds.length === 0) throw new LabError([...path, "subnets"], "a new load balancer needs 'subnets' (one per Availability Zone)");
      arn = s.step(path, () => createLoadBalancer(s.ctx, { name, type, ...(scheme !== undefined ? { scheme } : {}), subnetIds, ...(groupIds.length ? { securityGroupIds: groupIds } : {}) }).id);
      s.created.push(`${type} load balancer ${name} (${arn})`);
    } else {
      const lb = s.world.loadBalancers.get(arn)!;
      const expected = scheme ?? (type === "gateway" ? "internal" : lb.scheme);
      if (lb.type !== type || lb.scheme !== expected) {
        throw new LabError(path, `load balancer '${name}' exists as an ${lb.scheme} ${lb.type} load balancer; its type and scheme cannot change`);
      }
      const sorted = (xs: string[]): string => [...xs].sort().join();
      if (subnetIds.length > 0 && sorted(subnetIds) !== sorted(lb.zones.map((z) => z.subnetId))) {
        s.step([...path, "subnets"], () => setSubnets(s.ctx, lb.id, { subnetIds }));
        s.changed.push(`load balancer ${name}: subnets`);
      }
      if (v["securityGroups"] !== undefined && v["securityGroups"] !== null && sorted(groupIds) !== sorted(lb.securityGroupIds)) {
        s.step([...path, "securityGroups"], () => setSecurityGroups(s.ctx, lb.id, groupIds));
        s.changed.push(`load balancer ${name}: security groups`);
      }
    }
    const crossZone = bool(v, "crossZone", path);
    const lb = s.world.loadBalancers.get(arn)!;
    if (crossZone !== undefined && lb.attributes[CROSS_ZONE] !== String(crossZone)) {
      s.step([...path, "crossZone"], () => modifyLoadBalancerAttributes(s.ctx, lb.id, [{ key: CROSS_ZONE, value: String(crossZone) }]));
      if (!s.isNew(lb.id)) s.changed.push(`load balancer ${name}: cross-zone load balancing ${crossZone ? "on" : "off"}`);
    }
    const declared = list(v, "listeners", path);
    if (declared !== undefined) listeners(s, name, lb.id, declared, [...path, "listeners"]);
  }
}

/**
 * The declared listeners replace the load balancer's, matched by port (a gateway load balancer
 * has one, without a port): missing ones are created, changed ones modified, others deleted.
 */
function listeners(s: LabSession, lbName: string, arn: string, entries: unknown[], path: Path): void {
  const lb = s.world.loadBalancers.get(arn)!;
  const gateway = lb.type === "gateway";
  const wanted = entries.map((e, i) => {
    const lp = [...path, i];
    if (!isObj(e)) throw new LabError(lp, "a listener is a mapping: { port: 80, protocol: TCP, targetGroup: NAME }");
    const o = obj(e, lp, ["port", "protocol", "targetGroup"]);
    const port = num(o, "port", lp);
    const protocol = str(o, "protocol", lp, true) ?? (gateway || port === undefined ? undefined : "TCP");
    const targetGroupArn = s.elbRef("targetGroups", str(o, "targetGroup", lp), [...lp, "targetGroup"]);
    return { lp, port, protocol, targetGroupArn };
  });
  if (gateway && wanted.length > 1) throw new LabError([...path, 1], "a gateway load balancer has one listener");
  const dup = wanted.find((w, i) => wanted.findIndex((x) => x.port === w.port) !== i);
  if (dup) throw new LabError(dup.lp, `two listeners on port ${dup.port ?? "(none)"}`);
  const current = [...s.world.listeners.inVpc(lb.vpcId)].filter((l) => l.loadBalancerArn === arn);
  const matches = (l: { port?: number }, w: { port?: number | undefined }): boolean => gateway || l.port === w.port;
  for (const l of current) {
    if (wanted.some((w) => matches(l, w))) continue;
    s.step(path, () => deleteListener(s.ctx, l.id));
    s.changed.push(`load balancer ${lbName}: removed the listener on ${l.port ?? "all ports"}`);
  }
  for (const w of wanted) {
    const defaultActions = [{ type: "forward", targetGroupArn: w.targetGroupArn }];
    const have = current.find((l) => matches(l, w));
    const settings = { ...(w.port !== undefined ? { port: w.port } : {}), ...(w.protocol !== undefined ? { protocol: w.protocol } : {}) };
    if (!have) {
      s.step(w.lp, () => createListener(s.ctx, { loadBalancerArn: arn, ...settings, defaultActions }));
      if (!s.isNew(arn)) s.changed.push(`load balancer ${lbName}: a listener on ${w.port ?? "all ports"}`);
    } else if (have.protocol !== w.protocol || have.defaultActions[0]?.targetGroupArn !== w.targetGroupArn) {
      s.step(w.lp, () => modifyListener(s.ctx, have.id, { ...settings, defaultActions }));
      s.changed.push(`load balancer ${lbName}: the listener on ${w.port ?? "all ports"}`);
    }
  }
}
