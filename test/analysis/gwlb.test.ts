// Inspection through a Gateway Load Balancer endpoint: an application VPC (222222222222) routes its
// internet traffic through a GWLB endpoint to a security provider's appliance (111111111111) and
// back, out to the internet (egress) and in from it (ingress routing on the internet gateway's
// edge route table); the reply must come back through the same endpoint.
import { test } from "node:test";
import assert from "node:assert/strict";
import { traceFromInternet } from "../../src/analysis/fromInternet.js";
import { trace } from "../../src/analysis/trace.js";
import type { Trace } from "../../src/analysis/types.js";
import { NetworkView } from "../../src/analysis/view.js";
import type { Ctx } from "../../src/control/context.js";
import { decideConnections } from "../../src/control/endpointConnections.js";
import { createVpcEndpoint } from "../../src/control/endpoints.js";
import { modifyServicePermissions } from "../../src/control/endpointServicePermissions.js";
import { createEndpointService } from "../../src/control/endpointServices.js";
import { attachInternetGateway, createInternetGateway } from "../../src/control/gateways.js";
import { runInstances } from "../../src/control/instances.js";
import { createListener } from "../../src/control/listeners.js";
import { createLoadBalancer } from "../../src/control/loadBalancers.js";
import { associateRouteTable, createRoute, createRouteTable, replaceRoute } from "../../src/control/routeTables.js";
import { authorize, createSecurityGroup } from "../../src/control/securityGroups.js";
import { createSubnet } from "../../src/control/subnets.js";
import { createTargetGroup, registerTargets } from "../../src/control/targetGroups.js";
import { createVpc } from "../../src/control/vpcs.js";
import { IdGenerator } from "../../src/model/ids.js";
import type { Instance, InternetGateway, VpcEndpoint } from "../../src/model/types.js";
import { World } from "../../src/model/world.js";

const REGION = "ap-northeast-2";
const AZ = "ap-northeast-2a";

interface Inspected {
  world: World; provider: Ctx; app: Ctx; applianceSg: string; appliance: Instance; appInstance: Instance; igw: InternetGateway; ep: VpcEndpoint;
  rtb: { app: string; endpoint: string; edge?: string }; appCidr: string; serviceId: string;
}

interface Options { acceptanceRequired?: boolean; applianceGeneve?: boolean; edgeRoute?: boolean; appBackThroughEndpoint?: boolean }

function build(o: Options = {}): Inspected {
  const world = new World(IdGenerator.fresh("gwlb"));
  const provider: Ctx = { world, account: "111111111111", region: REGION };
  const app: Ctx = { world, account: "222222222222", region: REGION };

  // The security provider: an appliance behind a gateway load balancer, offered as a service.
  const secVpc = createVpc(provider, { cidrBlock: "10.2.0.0/16" }).id;
  const secSubnet = createSubnet(provider, { vpcId: secVpc, cidrBlock: "10.2.1.0/24", availabilityZone: AZ }).id;
  const applianceSg = createSecurityGroup(provider, { groupName: "appliance-sg", description: "GENEVE and health checks from the GWLB", vpcId: secVpc }).id;
  authorize(provider, applianceSg, false, [
    { ipProtocol: "tcp", fromPort: 80, toPort: 80, ipRanges: [{ cidrIp: "10.2.0.0/16" }] },
    ...(o.applianceGeneve ?? true ? [{ ipProtocol: "udp", fromPort: 6081, toPort: 6081, ipRanges: [{ cidrIp: "10.2.0.0/16" }] }] : []),
  ]);
  const appliance = runInstances(provider, { subnetId: secSubnet, privateIpAddress: "10.2.1.10", securityGroupIds: [applianceSg], tags: [{ key: "Name", value: "firewall" }] })[0]!;
  const tg = createTargetGroup(provider, { name: "appliances", protocol: "GENEVE", port: 6081, vpcId: secVpc, targetType: "instance" });
  registerTargets(provider, tg.id, [{ id: appliance.id }]);
  const gwlb = createLoadBalancer(provider, { name: "inspection", type: "gateway", subnetIds: [secSubnet] });
  createListener(provider, { loadBalancerArn: gwlb.id, defaultActions: [{ type: "forward", targetGroupArn: tg.id }] });
  const svc = createEndpointService(provider, { gatewayLoadBalancerArns: [gwlb.id], acceptanceRequired: o.acceptanceRequired ?? false });
  modifyServicePermissions(provider, { serviceId: svc.id, addAllowedPrincipals: ["arn:aws:iam::222222222222:root"] });

  // The application VPC: an app subnet and an endpoint subnet in one zone, and an internet gateway.
  const appVpc = createVpc(app, { cidrBlock: "10.0.0.0/16" }).id;
  const appCidr = "10.0.1.0/24";
  const appSubnet = createSubnet(app, { vpcId: appVpc, cidrBlock: appCidr, availabilityZone: AZ }).id;
  const epSubnet = createSubnet(app, { vpcId: appVpc, cidrBlock: "10.0.2.0/24", availabilityZone: AZ }).id;
  const igw = createInternetGateway(app);
  attachInternetGateway(app, igw.id, appVpc);
  const webSg = createSecurityGroup(app, { groupName: "web-sg", description: "https from anywhere", vpcId: appVpc }).id;
  authorize(app, webSg, false, [{ ipProtocol: "tcp", fromPort: 443, toPort: 443, ipRanges: [{ cidrIp: "0.0.0.0/0" }] }]);
  const appInstance = runInstances(app, { subnetId: appSubnet, privateIpAddress: "10.0.1.10", associatePublicIpAddress: true, securityGroupIds: [webSg], tags: [{ key: "Name", value: "app" }] })[0]!;
  const created = createVpcEndpoint(app, { vpcId: appVpc, serviceName: svc.serviceName, vpcEndpointType: "GatewayLoadBalancer", subnetIds: [epSubnet] });
  const ep = world.vpcEndpoints.get(created.id)!;

  const appRtb = createRouteTable(app, { vpcId: appVpc }).id;
  associateRouteTable(app, { routeTableId: appRtb, subnetId: appSubnet });
  createRoute(app, { routeTableId: appRtb, destinationCidrBlock: "0.0.0.0/0", ...(o.appBackThroughEndpoint ?? true ? { vpcEndpointId: ep.id } : { gatewayId: igw.id }) });
  const epRtb = createRouteTable(app, { vpcId: appVpc }).id;
  associateRouteTable(app, { routeTableId: epRtb, subnetId: epSubnet });
  createRoute(app, { routeTableId: epRtb, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id });
  let edge: string | undefined;
  if (o.edgeRoute ?? true) {
    edge = createRouteTable(app, { vpcId: appVpc }).id;
    associateRouteTable(app, { routeTableId: edge, gatewayId: igw.id });
    createRoute(app, { routeTableId: edge, destinationCidrBlock: appCidr, vpcEndpointId: ep.id });
  }
  return { world, provider, app, applianceSg, appliance, appInstance, igw, ep, rtb: { app: appRtb, endpoint: epRtb, ...(edge ? { edge } : {}) }, appCidr, serviceId: svc.id };
}

const egress = (x: Inspected, port = 443): Trace => trace(new NetworkView(x.world), { from: { kind: "eni", eniId: x.appInstance.networkInterfaceId }, to: { ip: "8.8.8.8", port } });
const ingress = (x: Inspected): Trace => traceFromInternet(new NetworkView(x.world), x.igw, "198.51.100.10", x.appInstance.publicIpAddress!, 443, "tcp");
const codes = (t: Trace): string[] => t.explanations.map((e) => e.code);

test("egress: the app's internet traffic goes through the GWLB endpoint, to the appliance in GENEVE and back, then out of the internet gateway", () => {
  const x = build();
  const t = egress(x);
  assert.equal(t.reachable, true, JSON.stringify(t.explanations));
  const ids = t.forward.map((h) => h.component.id);
  const at = (id: string): number => ids.indexOf(id);
  assert.ok(at(x.rtb.app) < at(x.ep.id) && at(x.ep.id) < at(x.appliance.id) && at(x.appliance.id) < at(x.rtb.endpoint) && at(x.rtb.endpoint) < at(x.igw.id), ids.join(" "));
  assert.ok(t.forward.some((h) => h.component.type === "load-balancer" && h.detail.includes("GENEVE udp/6081")));
  assert.ok(t.forward.some((h) => h.component.id === x.applianceSg && h.detail.includes("udp 6081")), "the appliance's group admits GENEVE");
  assert.equal(t.destination.component?.type, "internet", "the walk goes on past the appliance to where the flow was going");
  assert.equal(t.delivery, undefined, "an appliance is not where the flow is delivered");
  // The way back: through the edge route table to the same endpoint.
  assert.ok(t.return.some((h) => h.component.id === x.rtb.edge && h.verdict === "pass" && h.detail.includes(x.ep.id)), JSON.stringify(t.return.map((h) => h.detail)));
});

test("egress without an edge route table on the internet gateway: replies bypass the appliance, a blocker says how to route them back", () => {
  const x = build({ edgeRoute: false });
  const t = egress(x);
  assert.equal(t.reachable, false);
  assert.deepEqual(codes(t), ["GWLB_ASYMMETRIC_ROUTING"]);
  const e = t.explanations[0]!;
  assert.equal(e.component.id, x.igw.id);
  assert.match(e.fix!, new RegExp(`associate-route-table --route-table-id <new table> --gateway-id ${x.igw.id}.*--destination-cidr-block ${x.appCidr.replace(".", "\\.")} --vpc-endpoint-id ${x.ep.id}`));
});

test("ingress: the internet gateway's edge route table sends the app subnet's traffic through the endpoint, then on to the app; the app routes replies back through it", () => {
  const x = build();
  const t = ingress(x);
  assert.equal(t.reachable, true, JSON.stringify(t.explanations));
  const ids = t.forward.map((h) => h.component.id);
  assert.ok(ids.indexOf(x.rtb.edge!) < ids.indexOf(x.appliance.id) && ids.indexOf(x.appliance.id) < ids.indexOf(x.appInstance.id), ids.join(" "));
  assert.deepEqual(t.destination.component?.id, x.appInstance.id);
  assert.ok(t.return.some((h) => h.component.id === x.rtb.app && h.verdict === "pass"), "the app's 0.0.0.0/0 goes back to the endpoint");
  assert.ok(t.return.some((h) => h.component.id === x.rtb.endpoint && h.verdict === "pass"), "and the endpoint's subnet back to the internet gateway");
});

test("ingress with the app's replies routed straight to the internet gateway: asymmetric, blocked at the app's route table", () => {
  const x = build({ appBackThroughEndpoint: false });
  const t = ingress(x);
  assert.deepEqual(codes(t), ["GWLB_ASYMMETRIC_ROUTING"], JSON.stringify(t.explanations));
  assert.equal(t.explanations[0]!.component.id, x.rtb.app);
  assert.equal(t.explanations[0]!.fix, `aws ec2 replace-route --route-table-id ${x.rtb.app} --destination-cidr-block 0.0.0.0/0 --vpc-endpoint-id ${x.ep.id}`);
  // Fixed as it says, it gets through.
  replaceRoute(x.app, { routeTableId: x.rtb.app, destinationCidrBlock: "0.0.0.0/0", vpcEndpointId: x.ep.id });
  assert.equal(ingress(x).reachable, true);
});

test("an appliance whose security group does not admit GENEVE from the load balancer is blocked, naming the group", () => {
  const x = build({ applianceGeneve: false });
  const t = egress(x);
  assert.equal(t.reachable, false);
  const sg = t.explanations.find((e) => e.code === "ENI_SG_RULES_MISMATCH")!;
  assert.equal(sg.component.id, x.applianceSg);
  assert.match(sg.message, /udp\/6081/);
  assert.match(sg.fix!, /IpProtocol=udp,FromPort=6081,ToPort=6081/);
});

test("a Gateway Load Balancer endpoint waiting for acceptance carries nothing until the provider accepts it", () => {
  const x = build({ acceptanceRequired: true });
  assert.deepEqual(codes(egress(x)), ["VPCE_CONNECTION_PENDING_ACCEPTANCE"]);
  decideConnections(x.provider, "accept", x.serviceId, [x.ep.id]);
  assert.equal(egress(x).reachable, true);
});

test("routes through the endpoint count as forwards: two endpoints routing to each other loop", () => {
  const x = build();
  // The endpoint's own subnet sends the traffic back into the endpoint.
  replaceRoute(x.app, { routeTableId: x.rtb.endpoint, destinationCidrBlock: "0.0.0.0/0", vpcEndpointId: x.ep.id });
  const t = egress(x);
  assert.ok(codes(t).includes("ROUTING_LOOP"), JSON.stringify(codes(t)));
});
