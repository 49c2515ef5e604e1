// vpclab show: the resources in the world by name and id, with what a lab needs next: routes,
// endpoint DNS names and states, instance addresses, security-group rules.
import { COLLECTION_NAMES, type Collections, type CollectionName, type World } from "../model/world.js";
import type { Store } from "../state/store.js";
import { sgRuleText } from "../analysis/filters.js";
import { routeTarget } from "../model/routes.js";
import { bold, dim } from "./render.js";

type Details = { [K in CollectionName]?: (r: Collections[K], world: World) => string[] };

const DETAILS: Details = {
  vpcs: (v) => [`${v.cidrBlock}  dns support ${v.enableDnsSupport ? "on" : "off"}, dns hostnames ${v.enableDnsHostnames ? "on" : "off"}`],
  subnets: (s) => [`${s.cidrBlock}  ${s.availabilityZone} (${s.availabilityZoneId})  ${s.vpcId}`],
  routeTables: (t, world) => [
    `${t.vpcId}${t.associations.some((a) => a.main) ? "  main" : ""}${t.associations.filter((a) => a.subnetId).map((a) => `  ${a.subnetId!}`).join("")}`,
    ...t.routes.map((r) => `  ${(r.destinationCidrBlock ?? r.destinationPrefixListId ?? "").padEnd(18)} → ${routeTarget(r)}${r.state === "active" ? "" : `  (${r.state})`}`),
    ...t.propagatingVgws.flatMap((vgw) => [...world.vpnConnections.values()].filter((v) => v.vpnGatewayId === vgw).flatMap((v) => v.staticRoutes.map((c) => `  ${c.padEnd(18)} → ${vgw}  (propagated)`))),
    ...t.associations.filter((a) => a.gatewayId).map((a) => `  edge association: ${a.gatewayId!}`),
  ],
  securityGroups: (g) => [`${g.groupName}  ${g.vpcId}`, ...g.rules.map((r) => `  ${r.isEgress ? "out" : "in "} ${sgRuleText(r)}`)],
  networkAcls: (a) => [`${a.vpcId}${a.isDefault ? "  default" : ""}  subnets: ${a.associations.map((x) => x.subnetId).join(", ") || "none"}`],
  networkInterfaces: (e) => [`${e.privateIpAddress}${e.publicIp ? `  public ${e.publicIp}` : ""}  ${e.interfaceType}  ${e.subnetId}  ${e.availabilityZone}${e.description ? `  "${e.description}"` : ""}`],
  instances: (i) => [`${i.state}  ${i.privateIpAddress}${i.publicIpAddress ? `  public ${i.publicIpAddress}` : ""}  ${i.subnetId}`],
  natGateways: (n) => [`${n.state}  ${n.connectivityType}  ${n.privateIp}${n.publicIp ? `  public ${n.publicIp}` : ""}  ${n.subnetId}`],
  vpcEndpoints: (e) => [
    `${e.vpcEndpointType}  ${e.serviceName}  ${e.state}${e.vpcEndpointType === "Interface" ? `  private DNS ${e.privateDnsEnabled ? "on" : "off"}` : ""}`,
    ...e.routeTableIds.map((id) => `  route table ${id}`),
    ...e.dnsEntries.map((d) => `  ${d.dnsName}`),
  ],
  peeringConnections: (p) => [`${p.requesterVpcId} ↔ ${p.accepterVpcId}  ${p.status}`],
  vpnConnections: (v) => [`${v.vpnGatewayId}  on-premises ${v.staticRoutes.join(", ")}`],
  loadBalancers: (lb) => [
    `${lb.type}  ${lb.scheme}  ${lb.state}  ${lb.dnsName}${lb.attributes["load_balancing.cross_zone.enabled"] === "true" ? "  cross-zone" : ""}`,
    ...lb.zones.map((z) => `  node ${z.privateIpv4Address}${z.publicIpv4Address ? ` / ${z.publicIpv4Address}` : ""}  ${z.zoneName}  ${z.subnetId}`),
  ],
  targetGroups: (tg) => [
    `${tg.protocol}${tg.port ? `:${tg.port}` : ""}  ${tg.targetType} targets  ${tg.vpcId}`,
    ...tg.targets.map((t) => `  target ${t.id}:${t.port}`),
  ],
  listeners: (l, world) => [`${l.protocol ?? "GENEVE"}${l.port !== undefined ? `:${l.port}` : ""}  of ${world.loadBalancers.get(l.loadBalancerArn)?.name ?? l.loadBalancerArn}  → ${l.defaultActions.map((a) => world.targetGroups.get(a.targetGroupArn)?.name ?? a.targetGroupArn).join(", ")}`],
  endpointServices: (svc, world) => [
    `${svc.serviceName}  ${svc.serviceState}  acceptance ${svc.acceptanceRequired ? "required" : "automatic"}`,
    ...[...svc.networkLoadBalancerArns, ...svc.gatewayLoadBalancerArns].map((arn) => `  load balancer ${world.loadBalancers.get(arn)?.name ?? arn}`),
    ...svc.allowedPrincipals.map((p) => `  allowed ${p.principal}`),
    ...(svc.privateDnsName ? [`  private DNS name ${svc.privateDnsName} (${svc.privateDnsNameConfiguration?.state ?? "?"})`] : []),
    ...[...world.vpcEndpoints.values()].filter((e) => e.serviceId === svc.id).map((e) => `  connection ${e.id} from ${e.ownerId}: ${e.state}`),
  ],
  // What the SNS topic would have received: vpclab records the events instead of publishing them.
  connectionNotifications: (n) => [
    `${n.connectionNotificationArn}  ${n.connectionEvents.join(",")}  on ${n.serviceId ?? n.vpcEndpointId ?? "?"}`,
    ...n.deliveries.map((d) => `  ${d.at || "-"}  ${d.event}  ${d.vpcEndpointId}`),
  ],
};

export function showCommand(store: Store, json: boolean, out: (s: string) => void): void {
  const world = store.load();
  if (json) {
    // The world's resources by kind, as stored (the same shapes the API will serve).
    const snap = world.toSnapshot();
    out(JSON.stringify(Object.fromEntries(COLLECTION_NAMES.map((k) => [k, snap[k]]).filter(([, v]) => (v as unknown[]).length > 0)), null, 2));
    return;
  }
  let any = false;
  for (const kind of COLLECTION_NAMES) {
    const items = [...world.collection(kind).values()];
    if (items.length === 0) continue;
    any = true;
    out(bold(kind));
    const detail = DETAILS[kind] as ((r: Collections[typeof kind], world: World) => string[]) | undefined;
    for (const r of items) {
      const tags = (r as { tags?: { key: string; value: string }[] }).tags ?? [];
      const name = tags.find((t) => t.key === "Name")?.value ?? (r as { name?: string }).name ?? "";
      const [first = "", ...more] = detail ? detail(r, world) : [];
      out(`  ${name.padEnd(20)} ${dim(r.id)}  ${first}  ${dim(`${(r as { region?: string }).region ?? "global"} ${r.ownerId}`)}`);
      for (const line of more) out(`      ${dim(line)}`);
    }
  }
  if (!any) out(dim("the world is empty: try 'vpclab apply examples/lab1-gateway-endpoint.yaml'"));
}
