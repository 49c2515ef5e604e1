// Whether a world holds together: every reference names a resource that is there. Checked before
// an imported world replaces the stored one, so a hand-edited file cannot leave traces and
// describes tripping over a VPC that no longer exists.
import type { World } from "../model/world.js";

/** Each dangling reference, as "what -> what is missing". Empty when the world holds together. */
export function danglingReferences(world: World): string[] {
  const out: string[] = [];
  const need = (has: boolean, what: string, missing: string): void => {
    if (!has) out.push(`${what} -> ${missing}`);
  };
  for (const v of world.vpcs.values()) {
    need(world.routeTables.has(v.mainRouteTableId), `${v.id} main route table`, v.mainRouteTableId);
    need(world.networkAcls.has(v.defaultNetworkAclId), `${v.id} default network ACL`, v.defaultNetworkAclId);
    need(world.securityGroups.has(v.defaultSecurityGroupId), `${v.id} default security group`, v.defaultSecurityGroupId);
  }
  for (const name of ["subnets", "routeTables", "securityGroups", "networkAcls", "networkInterfaces", "vpcEndpoints", "loadBalancers", "listeners"] as const) {
    for (const r of world.collection(name).values()) need(world.vpcs.has(r.vpcId), r.id, r.vpcId);
  }
  // What DeleteVpc leaves behind, as AWS does: a terminated instance and a deleted NAT gateway stay
  // listed for a while, and a target group outlives its VPC (ELBv2 keeps it, naming the old VPC).
  for (const i of world.instances.values()) if (i.state !== "terminated") need(world.vpcs.has(i.vpcId), i.id, i.vpcId);
  for (const n of world.natGateways.values()) if (n.state !== "deleted") need(world.vpcs.has(n.vpcId), n.id, n.vpcId);
  for (const e of world.networkInterfaces.values()) need(world.subnets.has(e.subnetId), e.id, e.subnetId);
  for (const i of world.instances.values()) {
    if (i.state === "terminated") continue;
    need(world.subnets.has(i.subnetId), i.id, i.subnetId);
    need(world.networkInterfaces.has(i.networkInterfaceId), i.id, i.networkInterfaceId);
  }
  for (const ep of world.vpcEndpoints.values()) {
    for (const id of ep.networkInterfaceIds) need(world.networkInterfaces.has(id), ep.id, id);
    for (const id of ep.subnetIds) need(world.subnets.has(id), ep.id, id);
    for (const id of ep.routeTableIds) need(world.routeTables.has(id), ep.id, id);
  }
  for (const lb of world.loadBalancers.values()) {
    for (const z of lb.zones) {
      need(world.subnets.has(z.subnetId), lb.id, z.subnetId);
      need(world.networkInterfaces.has(z.networkInterfaceId), lb.id, z.networkInterfaceId);
    }
  }
  for (const l of world.listeners.values()) {
    need(world.loadBalancers.has(l.loadBalancerArn), l.id, l.loadBalancerArn);
    for (const a of l.defaultActions) need(world.targetGroups.has(a.targetGroupArn), l.id, a.targetGroupArn);
  }
  for (const svc of world.endpointServices.values()) {
    for (const arn of [...svc.networkLoadBalancerArns, ...svc.gatewayLoadBalancerArns]) need(world.loadBalancers.has(arn), svc.id, arn);
  }
  for (const t of world.routeTables.values()) {
    for (const a of t.associations) if (a.subnetId !== undefined) need(world.subnets.has(a.subnetId), `${t.id} association ${a.id}`, a.subnetId);
  }
  for (const acl of world.networkAcls.values()) {
    for (const a of acl.associations) need(world.subnets.has(a.subnetId), `${acl.id} association ${a.id}`, a.subnetId);
  }
  return out;
}
