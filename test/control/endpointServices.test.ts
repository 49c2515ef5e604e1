// PrivateLink in the control layer, with two accounts on one world: a provider's endpoint
// services, permissions, acceptance, private DNS, notifications, and Gateway Load Balancer endpoints.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Ctx } from "../../src/control/context.js";
import { createLoadBalancer } from "../../src/control/loadBalancers.js";
import {
  createEndpointService, deleteEndpointServices, loadBalancersOf, modifyEndpointService, serviceOfEndpoint, serviceZones, setPayerResponsibility,
  verifyPrivateDnsName,
} from "../../src/control/endpointServices.js";
import { mayConnect, modifyServicePermissions } from "../../src/control/endpointServicePermissions.js";
import { decideConnections, serviceConnections } from "../../src/control/endpointConnections.js";
import { createConnectionNotification, deleteConnectionNotifications, modifyConnectionNotification } from "../../src/control/connectionNotifications.js";
import { createVpcEndpoint, deleteVpcEndpoints, modifyVpcEndpoint } from "../../src/control/endpoints.js";
import { associateRouteTable, createRoute, createRouteTable, deleteRoute, replaceRoute } from "../../src/control/routeTables.js";
import { attachInternetGateway, createInternetGateway } from "../../src/control/gateways.js";
import { createSubnet } from "../../src/control/subnets.js";
import { freshCtx, rejects, vpcWithSubnets } from "../helpers.js";

const PROVIDER = "111111111111";
const CONSUMER = "222222222222";

/** A provider (account 1) with an internal NLB in ap-northeast-2a only, and a consumer (account 2) with subnets in 2a and 2c, on one world. */
function twoAccounts(): { a: Ctx; b: Ctx; nlb: string; providerVpc: string; vpcId: string; subnetA: string; subnetC: string } {
  const a = freshCtx("ap-northeast-2", PROVIDER);
  const b: Ctx = { ...a, account: CONSUMER };
  const provider = vpcWithSubnets(a);
  const nlb = createLoadBalancer(a, { name: "web-nlb", type: "network", scheme: "internal", subnetIds: [provider.subnetA] }).id;
  const consumer = vpcWithSubnets(b);
  return { a, b, nlb, providerVpc: provider.vpcId, ...consumer };
}

test("a service on an NLB: its id, name, AZs and DNS names; AWS's errors for the load balancers, IP types, Regions and names", () => {
  const { a, b, nlb, providerVpc } = twoAccounts();
  const svc = createEndpointService(a, { networkLoadBalancerArns: [nlb], acceptanceRequired: true, tags: [{ key: "Name", value: "web-svc" }] });
  assert.match(svc.id, /^vpce-svc-[0-9a-f]{17}$/);
  assert.equal(svc.serviceName, `com.amazonaws.vpce.ap-northeast-2.${svc.id}`);
  assert.deepEqual([svc.serviceType, svc.serviceState, svc.supportedIpAddressTypes, svc.supportedRegions], ["Interface", "Available", ["ipv4"], ["ap-northeast-2"]]);
  assert.deepEqual(serviceZones(a.world, svc).map((z) => z.name), ["ap-northeast-2a"]);
  assert.deepEqual(loadBalancersOf(a.world, svc).map((lb) => lb.id), [nlb]);

  rejects(a, () => createEndpointService(a, {}), "InvalidParameter", "exactly one of network_load_balancer_arn or gateway_load_balancer_arn is a required member");
  const gwSubnet = createSubnet(a, { vpcId: providerVpc, cidrBlock: "10.0.3.0/24", availabilityZone: "ap-northeast-2b" }).id;
  const gwlb = createLoadBalancer(a, { name: "fw-gwlb", type: "gateway", subnetIds: [gwSubnet] }).id;
  rejects(a, () => createEndpointService(a, { networkLoadBalancerArns: [nlb], gatewayLoadBalancerArns: [gwlb] }), "InvalidParameter");
  rejects(a, () => createEndpointService(a, { networkLoadBalancerArns: ["arn:aws:elasticloadbalancing:ap-northeast-2:111111111111:loadbalancer/net/x"] }), "InvalidNetworkLoadBalancerArn.Malformed");
  rejects(a, () => createEndpointService(a, { networkLoadBalancerArns: [gwlb] }), "InvalidNetworkLoadBalancerArn.Malformed");
  rejects(a, () => createEndpointService(a, { gatewayLoadBalancerArns: [nlb] }), "InvalidParameterValue", /is malformed/);
  const missing = nlb.replace(/[0-9a-f]{16}$/, "0123456789abcdef");
  rejects(a, () => createEndpointService(a, { networkLoadBalancerArns: [missing] }), "InvalidNetworkLoadBalancerArn.NotFound", `The Network Load Balancer ARN '${missing}' does not exist`);
  // Another account's load balancer is not found, even by its exact ARN.
  rejects(b, () => createEndpointService(b, { networkLoadBalancerArns: [nlb] }), "InvalidNetworkLoadBalancerArn.NotFound");
  rejects(a, () => createEndpointService(a, { networkLoadBalancerArns: [nlb] }), "InvalidParameter", new RegExp(`already associated with the VPC endpoint service ${svc.id}`));
  const nlb2 = createLoadBalancer(a, { name: "other-nlb", type: "network", scheme: "internal", subnetIds: [gwSubnet] }).id;
  rejects(a, () => createEndpointService(a, { networkLoadBalancerArns: [nlb2], supportedIpAddressTypes: ["ipv6"] }), "InvalidParameter", /requires dualstack load balancers/);
  rejects(a, () => createEndpointService(a, { networkLoadBalancerArns: [nlb2], supportedIpAddressTypes: ["ipv5"] }), "InvalidParameterValue");
  rejects(a, () => createEndpointService(a, { networkLoadBalancerArns: [nlb2], supportedRegions: ["mars-north-1"] }), "InvalidParameterValue");
  rejects(a, () => createEndpointService(a, { networkLoadBalancerArns: [nlb2], privateDnsName: "not a name" }), "InvalidParameterValue");
  rejects(a, () => createEndpointService(a, { gatewayLoadBalancerArns: [gwlb], privateDnsName: "fw.example.com" }), "InvalidParameter", /Network Load Balancers/);

  const cross = createEndpointService(a, { networkLoadBalancerArns: [nlb2], supportedRegions: ["us-east-1", "ap-northeast-2"], privateDnsName: "api.example.com" });
  assert.deepEqual(cross.supportedRegions, ["ap-northeast-2", "us-east-1"], "the service's own Region first, always");
  assert.equal(cross.acceptanceRequired, true, "AcceptanceRequired omitted: the console's default, as docs/FIDELITY.md records");
  assert.equal(cross.privateDnsNameConfiguration!.state, "pendingVerification");
  assert.match(cross.privateDnsNameConfiguration!.name, /^_[a-z0-9]{20}$/);
  assert.match(cross.privateDnsNameConfiguration!.value, /^vpce:[a-z0-9]{20}$/);
  const gw = createEndpointService(a, { gatewayLoadBalancerArns: [gwlb] });
  assert.equal(gw.serviceType, "GatewayLoadBalancer");
  rejects(a, () => modifyEndpointService(a, { serviceId: cross.id, removeSupportedRegions: ["ap-northeast-2"] }), "InvalidParameter");
  rejects(a, () => modifyEndpointService(a, { serviceId: cross.id, addGatewayLoadBalancerArns: [gwlb] }), "InvalidParameter", /cannot take Gateway Load Balancers/);
  rejects(a, () => modifyEndpointService(a, { serviceId: cross.id, removeNetworkLoadBalancerArns: [nlb2] }), "InvalidParameter", /at least one load balancer/);
  rejects(a, () => modifyEndpointService(a, { serviceId: cross.id, privateDnsName: "x.example.com", removePrivateDnsName: true }), "InvalidParameterCombination");
  rejects(b, () => modifyEndpointService(b, { serviceId: cross.id, acceptanceRequired: true }), "InvalidVpcEndpointServiceId.NotFound");
  setPayerResponsibility(a, cross.id, "ServiceOwner");
  assert.equal(a.world.endpointServices.get(cross.id)!.payerResponsibility, "ServiceOwner");
  rejects(a, () => setPayerResponsibility(a, cross.id, "ServiceConsumer"), "InvalidParameterValue");
});

test("permissions: a principal that is not allowed sees InvalidServiceName; account, user or role ARNs let its account in", () => {
  const { a, b, nlb, vpcId, subnetA } = twoAccounts();
  const svc = createEndpointService(a, { networkLoadBalancerArns: [nlb], acceptanceRequired: true });
  const create = (): unknown => createVpcEndpoint(b, { vpcId, serviceName: svc.serviceName, vpcEndpointType: "Interface", subnetIds: [subnetA] });
  rejects(b, create, "InvalidServiceName", `The Vpc Endpoint Service '${svc.serviceName}' does not exist`);
  assert.equal(mayConnect(svc, PROVIDER), true, "the owner always may");
  rejects(a, () => modifyServicePermissions(a, { serviceId: svc.id, addAllowedPrincipals: ["arn:aws:iam::222222222222:user/team/alice"] }), "InvalidPrincipal", "Invalid Principal: 'arn:aws:iam::222222222222:user/team/alice'");
  rejects(a, () => modifyServicePermissions(a, { serviceId: svc.id, addAllowedPrincipals: ["arn:aws:sts::222222222222:assumed-role/r/s"] }), "InvalidPrincipal");
  rejects(a, () => modifyServicePermissions(a, { serviceId: svc.id, removeAllowedPrincipals: ["*"] }), "InvalidParameter");
  rejects(b, () => modifyServicePermissions(b, { serviceId: svc.id, addAllowedPrincipals: ["*"] }), "InvalidVpcEndpointServiceId.NotFound");
  const added = modifyServicePermissions(a, { serviceId: svc.id, addAllowedPrincipals: ["arn:aws:iam::222222222222:role/app", "arn:aws:iam::333333333333:root"] });
  assert.deepEqual(added.map((p) => p.principalType), ["Role", "Account"]);
  assert.match(added[0]!.servicePermissionId, /^vpce-svc-perm-[0-9a-f]{17}$/);
  assert.deepEqual(modifyServicePermissions(a, { serviceId: svc.id, addAllowedPrincipals: ["arn:aws:iam::222222222222:role/app"] }), [], "adding again adds nothing");
  const ep = create() as { id: string };
  // Removing a permission does not touch the connections already made.
  modifyServicePermissions(a, { serviceId: svc.id, removeAllowedPrincipals: ["arn:aws:iam::222222222222:role/app"] });
  assert.equal(b.world.vpcEndpoints.get(ep.id)!.state, "pendingAcceptance");
  rejects(b, create, "InvalidServiceName");
  modifyServicePermissions(a, { serviceId: svc.id, addAllowedPrincipals: ["*"] });
  assert.equal(mayConnect(a.world.endpointServices.get(svc.id)!, "444444444444"), true);
});

test("a connection waits in pendingAcceptance, is accepted, rejected live, and holds the service until its owner deletes it", () => {
  const { a, b, nlb, vpcId, subnetA, subnetC } = twoAccounts();
  const svc = createEndpointService(a, { networkLoadBalancerArns: [nlb], acceptanceRequired: true });
  modifyServicePermissions(a, { serviceId: svc.id, addAllowedPrincipals: [`arn:aws:iam::${CONSUMER}:root`] });
  const nfn = createConnectionNotification(a, { serviceId: svc.id, connectionNotificationArn: `arn:aws:sns:ap-northeast-2:${PROVIDER}:vpce-events`, connectionEvents: ["Connect", "Accept", "Reject", "Delete"] });
  assert.match(nfn.id, /^vpce-nfn-[0-9a-f]{17}$/);
  const base = { vpcId, serviceName: svc.serviceName, vpcEndpointType: "Interface" };
  rejects(b, () => createVpcEndpoint(b, { ...base, subnetIds: [subnetC] }), "InvalidParameter", `The VPC endpoint service ${svc.serviceName} does not support the availability zone of the subnet: ${subnetC}.`);
  rejects(b, () => createVpcEndpoint(b, { vpcId, serviceName: svc.serviceName, subnetIds: [subnetA] }), "InvalidParameter", `The Vpc Endpoint Service '${svc.serviceName}' does not support Gateway type VPC Endpoints.`);
  rejects(b, () => createVpcEndpoint(b, { ...base, vpcEndpointType: "GatewayLoadBalancer", subnetIds: [subnetA] }), "InvalidParameter", /does not support GatewayLoadBalancer type/);
  rejects(b, () => createVpcEndpoint(b, { ...base, subnetIds: [subnetA], policyDocument: '{"Statement":[]}' }), "InvalidParameter", /does not support VPC endpoint policies/);
  rejects(b, () => createVpcEndpoint(b, { ...base, subnetIds: [subnetA], privateDnsEnabled: true }), "InvalidParameter", `Private DNS can't be enabled because the service ${svc.serviceName} does not provide a private DNS name.`);

  const created = createVpcEndpoint(b, { ...base, subnetIds: [subnetA] });
  assert.equal(created.state, "pendingAcceptance");
  const ep = b.world.vpcEndpoints.get(created.id)!;
  assert.equal(ep.serviceId, svc.id);
  assert.match(ep.connectionId!, /^vpce-con-[0-9a-f]{17}$/);
  assert.equal(ep.policyDocument, undefined, "no endpoint policy for a customer service");
  assert.deepEqual(ep.dnsEntries.map((e) => e.dnsName), [
    `${ep.id}-${ep.dnsSuffix}.${svc.id}.ap-northeast-2.vpce.amazonaws.com`,
    `${ep.id}-${ep.dnsSuffix}-ap-northeast-2a.${svc.id}.ap-northeast-2.vpce.amazonaws.com`,
  ]);
  assert.equal(serviceOfEndpoint(b.world, ep)?.id, svc.id);
  assert.deepEqual(serviceConnections(a).map((c) => c.endpoint.id), [ep.id]);
  assert.deepEqual(serviceConnections(b), [], "the consumer owns no service");

  // Only the provider decides, and only about its own connections.
  rejects(b, () => decideConnections(b, "accept", svc.id, [ep.id]), "InvalidVpcEndpointServiceId.NotFound");
  assert.deepEqual(decideConnections(a, "accept", svc.id, [ep.id, "vpce-0123456789abcdef0", "vpce-x"]).map((u) => u.error.code), ["InvalidVpcEndpoint.NotFound", "InvalidVpcEndpointId.Malformed"]);
  assert.equal(ep.state, "available");
  assert.deepEqual(deleteEndpointServices(a, [svc.id, "vpce-svc-0123456789abcdef0", "vpce-svc-x"]).map((u) => [u.resourceId, u.error.code, u.error.message]), [
    [svc.id, "ExistingVpcEndpointConnections", "Service has existing active VPC Endpoint connections!"],
    ["vpce-svc-0123456789abcdef0", "InvalidVpcEndpointService.NotFound", "The VpcEndpointService Id 'vpce-svc-0123456789abcdef0' does not exist"],
    ["vpce-svc-x", "InvalidVpcEndpointServiceId.Malformed", 'Invalid id: "vpce-svc-x" (expecting "vpce-svc-...")'],
  ]);
  rejects(a, () => modifyEndpointService(a, { serviceId: svc.id, removeNetworkLoadBalancerArns: [nlb] }), "ExistingVpcEndpointConnections");
  rejects(b, () => modifyVpcEndpoint(b, { vpcEndpointId: ep.id, addSubnetIds: [subnetC] }), "InvalidParameter", /does not support the availability zone of the subnet/);
  rejects(b, () => modifyVpcEndpoint(b, { vpcEndpointId: ep.id, removeSecurityGroupIds: ep.groupIds }), "InvalidParameter", /at least one security group/);

  // A provider can reject a live connection; the endpoint stays, rejected, until its owner deletes it.
  assert.deepEqual(decideConnections(a, "reject", svc.id, [ep.id]), []);
  assert.equal(ep.state, "rejected");
  assert.deepEqual(decideConnections(a, "accept", svc.id, [ep.id]).map((u) => u.error.code), ["InvalidState"]);
  assert.deepEqual(deleteEndpointServices(a, [svc.id]), [], "rejected connections do not hold the service");
  assert.ok(a.world.loadBalancers.has(nlb), "deleting the service leaves the load balancer");
  assert.ok(b.world.vpcEndpoints.has(ep.id));
  assert.equal(a.world.connectionNotifications.size, 0, "the service's notifications went with it");
  assert.deepEqual(nfn.deliveries, [], "the returned copy is not the stored notification");
  deleteVpcEndpoints(b, [ep.id]);
  assert.ok(!b.world.vpcEndpoints.has(ep.id));
});

test("notifications record what would have been published: Connect, Accept (also automatic), Reject, Delete", () => {
  const { a, b, nlb, vpcId, subnetA } = twoAccounts();
  const svc = createEndpointService(a, { networkLoadBalancerArns: [nlb], acceptanceRequired: false });
  modifyServicePermissions(a, { serviceId: svc.id, addAllowedPrincipals: ["*"] });
  const topic = `arn:aws:sns:ap-northeast-2:${PROVIDER}:vpce-events`;
  rejects(a, () => createConnectionNotification(a, { connectionNotificationArn: topic, connectionEvents: ["Accept"] }), "MissingParameter");
  rejects(a, () => createConnectionNotification(a, { serviceId: svc.id, connectionNotificationArn: "arn:aws:sqs:ap-northeast-2:111111111111:q", connectionEvents: ["Accept"] }), "InvalidParameter", /SNS topic ARN/);
  rejects(a, () => createConnectionNotification(a, { serviceId: svc.id, connectionNotificationArn: topic, connectionEvents: ["Accepted"] }), "InvalidParameter", /Invalid connection event/);
  rejects(b, () => createConnectionNotification(b, { serviceId: svc.id, connectionNotificationArn: topic, connectionEvents: ["Accept"] }), "InvalidVpcEndpointServiceId.NotFound");
  const n = createConnectionNotification(a, { serviceId: svc.id, connectionNotificationArn: topic, connectionEvents: ["Connect", "Accept"] });
  const ep = createVpcEndpoint(b, { vpcId, serviceName: svc.serviceName, vpcEndpointType: "Interface", subnetIds: [subnetA] });
  assert.equal(ep.state, "pending", "auto-accepted: the answer shows it on its way");
  assert.equal(b.world.vpcEndpoints.get(ep.id)!.state, "available");
  const mine = createConnectionNotification(b, { vpcEndpointId: ep.id, connectionNotificationArn: `arn:aws:sns:ap-northeast-2:${CONSUMER}:mine`, connectionEvents: ["Reject"] });
  modifyConnectionNotification(a, { connectionNotificationId: n.id, connectionEvents: ["Connect", "Accept", "Reject", "Delete"] });
  rejects(a, () => modifyConnectionNotification(a, { connectionNotificationId: n.id, connectionEvents: ["Nope"] }), "InvalidParameter");
  decideConnections(a, "reject", svc.id, [ep.id]);
  deleteVpcEndpoints(b, [ep.id]);
  const stored = a.world.connectionNotifications.get(n.id)!;
  assert.deepEqual(stored.deliveries.map((d) => [d.event, d.vpcEndpointId, d.serviceId]), [
    ["Connect", ep.id, svc.id], ["Accept", ep.id, svc.id], ["Reject", ep.id, svc.id], ["Delete", ep.id, svc.id],
  ]);
  assert.ok(!a.world.connectionNotifications.has(mine.id), "an endpoint's own notifications go with it");
  assert.deepEqual(deleteConnectionNotifications(a, [n.id, "vpce-nfn-0123456789abcdef0"]).map((u) => u.error.code), ["InvalidConnectionNotification"]);
});

test("private DNS: pendingVerification until verified; consumers use the name only once it is verified", () => {
  const { a, b, nlb, vpcId, subnetA } = twoAccounts();
  const svc = createEndpointService(a, { networkLoadBalancerArns: [nlb], privateDnsName: "api.example.com" });
  modifyServicePermissions(a, { serviceId: svc.id, addAllowedPrincipals: [`arn:aws:iam::${CONSUMER}:root`] });
  const base = { vpcId, serviceName: svc.serviceName, vpcEndpointType: "Interface", subnetIds: [subnetA] };
  rejects(b, () => createVpcEndpoint(b, { ...base, privateDnsEnabled: true }), "InvalidParameter", /is not verified yet \(pendingVerification\)/);
  const ep = createVpcEndpoint(b, base);
  assert.equal(ep.state, "pendingAcceptance", "a service created without AcceptanceRequired requires acceptance");
  verifyPrivateDnsName(a, svc.id);
  assert.equal(a.world.endpointServices.get(svc.id)!.privateDnsNameConfiguration!.state, "verified");
  modifyVpcEndpoint(b, { vpcEndpointId: ep.id, privateDnsEnabled: true });
  const stored = b.world.vpcEndpoints.get(ep.id)!;
  assert.equal(stored.dnsEntries.at(-1)!.dnsName, "api.example.com");
  // A second endpoint with the same private name in the VPC would shadow the first.
  rejects(b, () => createVpcEndpoint(b, { ...base, subnetIds: [], privateDnsEnabled: true }), "InvalidParameter", /conflicting DNS domain for api.example.com/);
  // A new name must be proved again: the endpoint loses it until then.
  modifyEndpointService(a, { serviceId: svc.id, privateDnsName: "api2.example.com" });
  assert.ok(!b.world.vpcEndpoints.get(ep.id)!.dnsEntries.some((e) => e.dnsName.startsWith("api")));
  verifyPrivateDnsName(a, svc.id);
  assert.equal(b.world.vpcEndpoints.get(ep.id)!.dnsEntries.at(-1)!.dnsName, "api2.example.com");
  modifyEndpointService(a, { serviceId: svc.id, removePrivateDnsName: true });
  rejects(a, () => verifyPrivateDnsName(a, svc.id), "InvalidParameter", /no private DNS name/);
  rejects(b, () => modifyVpcEndpoint(b, { vpcEndpointId: ep.id, policyDocument: '{"Statement":[]}' }), "InvalidParameter", /does not support VPC endpoint policies/);
});

test("Gateway Load Balancer endpoints: one subnet for good, no security groups, route targets, deletable only without routes", () => {
  const { a, b, vpcId, subnetA, subnetC } = twoAccounts();
  const provider = a.world.vpcs.get([...a.world.loadBalancers.values()][0]!.vpcId)!;
  const fwSubnet = createSubnet(a, { vpcId: provider.id, cidrBlock: "10.0.9.0/24", availabilityZone: "ap-northeast-2a" }).id;
  const gwlb = createLoadBalancer(a, { name: "fw", type: "gateway", subnetIds: [fwSubnet] }).id;
  const svc = createEndpointService(a, { gatewayLoadBalancerArns: [gwlb], acceptanceRequired: false });
  modifyServicePermissions(a, { serviceId: svc.id, addAllowedPrincipals: [`arn:aws:iam::${CONSUMER}:root`] });
  const base = { vpcId, serviceName: svc.serviceName, vpcEndpointType: "GatewayLoadBalancer" };
  rejects(b, () => createVpcEndpoint(b, { ...base, subnetIds: [] }), "InvalidParameter", "A Gateway Load Balancer endpoint needs exactly one subnet.");
  rejects(b, () => createVpcEndpoint(b, { ...base, subnetIds: [subnetA, subnetC] }), "InvalidParameter");
  rejects(b, () => createVpcEndpoint(b, { ...base, subnetIds: [subnetA], securityGroupIds: [b.world.vpcs.get(vpcId)!.defaultSecurityGroupId] }), "InvalidParameter", /Security groups are not supported/);
  rejects(b, () => createVpcEndpoint(b, { ...base, subnetIds: [subnetC] }), "InvalidParameter", /does not support the availability zone/);
  rejects(b, () => createVpcEndpoint(b, { ...base, vpcEndpointType: "Interface", subnetIds: [subnetA] }), "InvalidParameter", /does not support Interface type/);
  const ep = createVpcEndpoint(b, { ...base, subnetIds: [subnetA] });
  const eni = b.world.networkInterfaces.get(ep.networkInterfaceIds[0]!)!;
  assert.deepEqual([eni.interfaceType, eni.groupIds, eni.requesterManaged], ["gateway_load_balancer_endpoint", [], true]);
  assert.deepEqual([ep.groupIds, ep.dnsEntries, ep.privateDnsEnabled], [[], [], false]);
  const other = createSubnet(b, { vpcId, cidrBlock: "10.0.4.0/24", availabilityZone: "ap-northeast-2a" }).id;
  rejects(b, () => createVpcEndpoint(b, { ...base, subnetIds: [other] }), "InvalidParameter", /one per Availability Zone per service/);
  rejects(b, () => modifyVpcEndpoint(b, { vpcEndpointId: ep.id, addSubnetIds: [subnetC] }), "InvalidParameter", /cannot be changed/);

  // Routes: the app subnet's table sends everything to the endpoint, the internet gateway's edge table sends the app subnet back through it.
  const appRt = createRouteTable(b, { vpcId });
  createRoute(b, { routeTableId: appRt.id, destinationCidrBlock: "0.0.0.0/0", vpcEndpointId: ep.id });
  const igw = createInternetGateway(b);
  attachInternetGateway(b, igw.id, vpcId);
  const edge = createRouteTable(b, { vpcId });
  associateRouteTable(b, { routeTableId: edge.id, gatewayId: igw.id });
  createRoute(b, { routeTableId: edge.id, destinationCidrBlock: "10.0.2.0/24", vpcEndpointId: ep.id });
  replaceRoute(b, { routeTableId: edge.id, destinationCidrBlock: "10.0.2.0/24", vpcEndpointId: ep.id });
  const s3 = createVpcEndpoint(b, { vpcId, serviceName: "com.amazonaws.ap-northeast-2.s3", routeTableIds: [] });
  rejects(b, () => createRoute(b, { routeTableId: appRt.id, destinationCidrBlock: "52.0.0.0/8", vpcEndpointId: s3.id }), "InvalidParameterValue", /Gateway Load Balancer endpoints only/);
  const foreignRt = createRouteTable(b, { vpcId: vpcWithSubnets(b).vpcId });
  rejects(b, () => createRoute(b, { routeTableId: foreignRt.id, destinationCidrBlock: "0.0.0.0/0", vpcEndpointId: ep.id }), "InvalidParameterValue", /belong to different networks/);

  assert.deepEqual(deleteVpcEndpoints(b, [ep.id]).map((u) => u.error.code), ["DependencyViolation"]);
  assert.ok(b.world.vpcEndpoints.has(ep.id));
  deleteRoute(b, { routeTableId: appRt.id, destinationCidrBlock: "0.0.0.0/0" });
  deleteRoute(b, { routeTableId: edge.id, destinationCidrBlock: "10.0.2.0/24" });
  assert.deepEqual(deleteVpcEndpoints(b, [ep.id]), []);
  assert.ok(!b.world.networkInterfaces.has(eni.id));
});
