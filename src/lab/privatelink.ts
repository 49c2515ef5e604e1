// Lab-file sections for the provider's side of PrivateLink: endpoint services (their load
// balancers, acceptance, allowed principals, private DNS name) and the provider's decisions on
// connections; and how a consumer's endpoint names a service declared in another file or account.
import { createEndpointService, connectionsOf, modifyEndpointService, verifyPrivateDnsName } from "../control/endpointServices.js";
import { modifyServicePermissions, principalType } from "../control/endpointServicePermissions.js";
import { decideConnections } from "../control/endpointConnections.js";
import type { VpcEndpoint, VpcEndpointService } from "../model/types.js";
import { LabError, type Obj, type Path, bool, isObj, obj, str, strList } from "./reader.js";
import type { LabSession } from "./session.js";

/** A bare account id is that account's root, as the console writes it. */
function principal(text: string): string {
  return /^\d{12}$/.test(text) ? `arn:aws:iam::${text}:root` : text;
}

const nameOf = (r: { tags: { key: string; value: string }[] }): string | undefined => r.tags.find((t) => t.key === "Name")?.value;

export function endpointServices(s: LabSession): void {
  for (const [name, v] of s.section("endpointServices")) {
    const path = ["endpointServices", name];
    obj(v, path, ["loadBalancers", "gatewayLoadBalancers", "acceptanceRequired", "allowedPrincipals", "privateDnsName", "verifyPrivateDns", "accept", "reject"]);
    const nlbs = strList(v, "loadBalancers", path).map((n, i) => s.elbRef("loadBalancers", n, [...path, "loadBalancers", i]));
    const gwlbs = strList(v, "gatewayLoadBalancers", path).map((n, i) => s.elbRef("loadBalancers", n, [...path, "gatewayLoadBalancers", i]));
    const lbKey = gwlbs.length > 0 ? "gatewayLoadBalancers" : "loadBalancers";
    const acceptanceRequired = bool(v, "acceptanceRequired", path);
    const privateDnsName = str(v, "privateDnsName", path, true);
    let id = s.findByName("endpointServices", name);
    if (!id) {
      if (nlbs.length > 0 && gwlbs.length > 0) throw new LabError([...path, "gatewayLoadBalancers"], "a service offers network or gateway load balancers, not both");
      if (nlbs.length + gwlbs.length === 0) throw new LabError(path, `account ${s.ctx.account} has no endpoint service named '${name}' in ${s.ctx.region} yet; a new one needs 'loadBalancers' (network) or 'gatewayLoadBalancers'`);
      id = s.step([...path, lbKey], () => createEndpointService(s.ctx, {
        networkLoadBalancerArns: nlbs, gatewayLoadBalancerArns: gwlbs, tags: s.tags(name),
        // A lab file's own default (docs/LAB-FORMAT.md): no acceptance unless asked for; the API's is the console's, true.
        acceptanceRequired: acceptanceRequired ?? false, ...(privateDnsName !== undefined ? { privateDnsName } : {}),
      }).id);
      s.created.push(`endpoint service ${name} (${s.world.endpointServices.get(id)!.serviceName})`);
    } else {
      reconcileService(s, name, s.world.endpointServices.get(id)!, v, path);
    }
    const svc = s.world.endpointServices.get(id)!;
    if (v["allowedPrincipals"] !== undefined && v["allowedPrincipals"] !== null) reconcilePrincipals(s, name, svc, strList(v, "allowedPrincipals", path), [...path, "allowedPrincipals"]);
    // StartVpcEndpointServicePrivateDnsVerification stands for the TXT record having been published.
    if (bool(v, "verifyPrivateDns", path) === true && svc.privateDnsNameConfiguration?.state !== "verified") {
      s.step([...path, "verifyPrivateDns"], () => verifyPrivateDnsName(s.ctx, svc.id));
      if (!s.isNew(svc.serviceName)) s.changed.push(`endpoint service ${name}: private DNS name ${svc.privateDnsName ?? ""} verified`);
    }
  }
}

/** Declared load balancers, acceptance and private DNS name of an existing service, through ModifyVpcEndpointServiceConfiguration. */
function reconcileService(s: LabSession, name: string, svc: VpcEndpointService, v: Obj, path: Path): void {
  const network = svc.serviceType === "Interface";
  const key = network ? "loadBalancers" : "gatewayLoadBalancers";
  const other = network ? "gatewayLoadBalancers" : "loadBalancers";
  if (strList(v, other, path).length > 0) throw new LabError([...path, other], `endpoint service '${name}' offers ${network ? "network" : "gateway"} load balancers: declare them under '${key}'`);
  const want = strList(v, key, path).map((n, i) => s.elbRef("loadBalancers", n, [...path, key, i]));
  const have = network ? svc.networkLoadBalancerArns : svc.gatewayLoadBalancerArns;
  const add = v[key] !== undefined && v[key] !== null ? want.filter((a) => !have.includes(a)) : [];
  const remove = v[key] !== undefined && v[key] !== null ? have.filter((a) => !want.includes(a)) : [];
  if (add.length + remove.length > 0) {
    s.step([...path, key], () => modifyEndpointService(s.ctx, network
      ? { serviceId: svc.id, addNetworkLoadBalancerArns: add, removeNetworkLoadBalancerArns: remove }
      : { serviceId: svc.id, addGatewayLoadBalancerArns: add, removeGatewayLoadBalancerArns: remove }));
    s.changed.push(`endpoint service ${name}: load balancers`);
  }
  const acceptanceRequired = bool(v, "acceptanceRequired", path);
  if (acceptanceRequired !== undefined && acceptanceRequired !== svc.acceptanceRequired) {
    s.step([...path, "acceptanceRequired"], () => modifyEndpointService(s.ctx, { serviceId: svc.id, acceptanceRequired }));
    s.changed.push(`endpoint service ${name}: acceptance ${acceptanceRequired ? "required" : "not required"}`);
  }
  const privateDnsName = str(v, "privateDnsName", path, true);
  if (privateDnsName !== undefined && privateDnsName !== svc.privateDnsName) {
    s.step([...path, "privateDnsName"], () => modifyEndpointService(s.ctx, { serviceId: svc.id, privateDnsName }));
    s.changed.push(`endpoint service ${name}: private DNS name ${privateDnsName}`);
  }
}

/** The declared principals replace the allowed ones (ModifyVpcEndpointServicePermissions). */
function reconcilePrincipals(s: LabSession, name: string, svc: VpcEndpointService, declared: string[], path: Path): void {
  const want = declared.map((p, i) => {
    const arn = principal(p);
    s.step([...path, i], () => principalType(arn));
    return arn;
  });
  const have = svc.allowedPrincipals.map((p) => p.principal);
  const add = [...new Set(want.filter((p) => !have.includes(p)))];
  const remove = have.filter((p) => !want.includes(p));
  if (add.length + remove.length === 0) return;
  s.step(path, () => modifyServicePermissions(s.ctx, { serviceId: svc.id, addAllowedPrincipals: add, removeAllowedPrincipals: remove }));
  if (!s.isNew(svc.serviceName)) s.changed.push(`endpoint service ${name}: allowed principals ${want.join(", ") || "none"}`);
}

/**
 * The connections a file names under `accept` / `reject`: endpoints connected to the service, by
 * vpce- id or by Name tag in any account (a lab convenience: on AWS the provider sees only ids).
 */
function connection(s: LabSession, svc: VpcEndpointService, serviceName: string, ref: string, path: Path): VpcEndpoint {
  const found = connectionsOf(s.world, svc).filter((ep) => ep.id === ref || nameOf(ep) === ref);
  if (found.length === 0) throw new LabError(path, `no endpoint named '${ref}' is connected to endpoint service '${serviceName}' (${svc.serviceName})`);
  if (found.length > 1) throw new LabError(path, `${found.length} endpoints named '${ref}' are connected to '${serviceName}' (${found.map((e) => e.id).join(", ")}): name one by its id`);
  return found[0]!;
}

/**
 * The provider's decisions, applied after the file's endpoints exist. `accept: all` accepts the
 * connections waiting at the time of the apply; endpoints made later wait for the next apply.
 */
export function connections(s: LabSession): void {
  for (const [name, v] of s.section("endpointServices")) {
    const path = ["endpointServices", name];
    const svc = s.world.endpointServices.get(s.findByName("endpointServices", name)!)!;
    const all = v["accept"] === "all";
    const accept = all
      ? connectionsOf(s.world, svc).filter((ep) => ep.state === "pendingAcceptance").map((ep) => ({ ep, p: [...path, "accept"] }))
      : strList(v, "accept", path).map((ref, i) => ({ ep: connection(s, svc, name, ref, [...path, "accept", i]), p: [...path, "accept", i] }));
    const reject = strList(v, "reject", path).map((ref, i) => ({ ep: connection(s, svc, name, ref, [...path, "reject", i]), p: [...path, "reject", i] }));
    const both = reject.find((r) => accept.some((a) => a.ep.id === r.ep.id));
    if (both) throw new LabError(both.p, `endpoint ${both.ep.id} is both accepted and rejected`);
    for (const [decision, items, done] of [["accept", accept, ["available", "pending"]], ["reject", reject, ["rejected"]]] as const) {
      for (const { ep, p } of items) {
        if ((done as readonly string[]).includes(ep.state)) continue;
        const failed = s.step(p, () => decideConnections(s.ctx, decision, svc.id, [ep.id]));
        if (failed[0]) throw new LabError(p, failed[0].error.message, failed[0].error.code);
        s.changed.push(`endpoint service ${name}: ${decision === "accept" ? "accepted" : "rejected"} ${nameOf(ep) ?? ep.id} (${ep.id}), now ${ep.state}`);
      }
    }
  }
}

/**
 * An endpoint's `service:` as a service name: a literal name (com.amazonaws..., or a customer's
 * com.amazonaws.vpce.<region>.vpce-svc-...), or `{ endpointService: NAME, owner?: ACCOUNT }` for a
 * service declared by Name tag, in this file's Region, by this account or another. Whether this
 * account may use it is CreateVpcEndpoint's to say (InvalidServiceName, as AWS answers).
 */
export function serviceNameOf(s: LabSession, v: Obj, path: Path): string {
  const raw = v["service"];
  if (!isObj(raw)) return str(v, "service", path);
  const sp = [...path, "service"];
  const o = obj(raw, sp, ["endpointService", "owner"]);
  const name = str(o, "endpointService", sp);
  const owner = str(o, "owner", sp, true);
  const named = [...s.world.endpointServices.values()].filter((svc) =>
    svc.region === s.ctx.region && svc.serviceState !== "Deleted" && nameOf(svc) === name && (owner === undefined || svc.ownerId === owner));
  const mine = named.filter((svc) => svc.ownerId === s.ctx.account);
  const pick = mine.length === 1 ? mine : named;
  if (pick.length === 0) throw new LabError([...sp, "endpointService"], `no endpoint service named '${name}' in ${s.ctx.region}${owner ? ` (account ${owner})` : ""}`);
  if (pick.length > 1) throw new LabError([...sp, "endpointService"], `endpoint services named '${name}' exist in accounts ${pick.map((x) => x.ownerId).join(", ")}: say which with 'owner'`);
  return pick[0]!.serviceName;
}
