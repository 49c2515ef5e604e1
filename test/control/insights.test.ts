import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { applyLab } from "../../src/lab/apply.js";
import { World } from "../../src/model/world.js";
import type { Ctx } from "../../src/control/context.js";
import { terminateInstances } from "../../src/control/instances.js";
import {
  type NetworkInsightsAnalysisShape, type PathComponent,
  DEFAULT_ANALYSIS_PORT, createNetworkInsightsPath, deleteNetworkInsightsAnalysis, deleteNetworkInsightsPath,
  describeNetworkInsightsAnalyses, describeNetworkInsightsPaths, startNetworkInsightsAnalysis,
} from "../../src/control/insights.js";
import { rejects } from "../helpers.js";
import { MODELS } from "../../src/protocol/shapes.js";
import { renderResult } from "../../src/protocol/xml.js";

const EC2_MODEL = MODELS.ec2;

const EXAMPLES = fileURLToPath(new URL("../../../examples/", import.meta.url));
const LAB_ACCOUNT = "000000000000";

/** The lab files applied in order, as the caller that owns them (lab files' default account). */
function lab(...files: string[]): Ctx {
  let world = new World();
  for (const f of files) world = applyLab(world, readFileSync(`${EXAMPLES}${f}`, "utf8"), f).world;
  return { world, account: LAB_ACCOUNT, region: "ap-northeast-2" };
}

function named<T extends { tags: { key: string; value: string }[] }>(items: Iterable<T>, name: string): T {
  const found = [...items].find((r) => r.tags.some((t) => t.key === "Name" && t.value === name));
  assert.ok(found, `no resource named ${name}`);
  return found;
}

const ids = (components: PathComponent[] | undefined): string[] => (components ?? []).map((c) => c.component.id);

function analyse(ctx: Ctx, input: Parameters<typeof createNetworkInsightsPath>[1]): NetworkInsightsAnalysisShape {
  const path = createNetworkInsightsPath(ctx, input);
  return startNetworkInsightsAnalysis(ctx, { networkInsightsPathId: path.networkInsightsPathId });
}

test("lab 2: a path from the private instance to the interface endpoint is found, hop by hop in AWS's shapes", () => {
  const ctx = lab("lab2-interface-endpoint.yaml", "lab2-step3-add-endpoint.yaml");
  const inst = named(ctx.world.instances.values(), "private-instance");
  const ep = named(ctx.world.vpcEndpoints.values(), "cloudformation");
  const endpointSg = named(ctx.world.securityGroups.values(), "endpoint-sg");
  const path = createNetworkInsightsPath(ctx, {
    source: inst.id, destination: ep.id, protocol: "tcp", destinationPort: 443, clientToken: "t1",
    tagSpecifications: [{ resourceType: "network-insights-path", tags: [{ key: "Name", value: "app-to-cfn" }] }],
  });
  assert.match(path.networkInsightsPathId, /^nip-[0-9a-f]{17}$/);
  assert.equal(path.networkInsightsPathArn, `arn:aws:ec2:ap-northeast-2:${LAB_ACCOUNT}:network-insights-path/${path.networkInsightsPathId}`);
  assert.equal(path.sourceArn, `arn:aws:ec2:ap-northeast-2:${LAB_ACCOUNT}:instance/${inst.id}`);
  assert.equal(path.destinationArn, `arn:aws:ec2:ap-northeast-2:${LAB_ACCOUNT}:vpc-endpoint/${ep.id}`);
  assert.deepEqual(path.tags, [{ key: "Name", value: "app-to-cfn" }]);
  assert.equal(path.protocol, "tcp");
  assert.ok(!("id" in path) && !("ownerId" in path), "the API shape only");

  const a = startNetworkInsightsAnalysis(ctx, { networkInsightsPathId: path.networkInsightsPathId, clientToken: "t2" });
  assert.match(a.networkInsightsAnalysisId, /^nia-[0-9a-f]{17}$/);
  assert.equal(a.networkInsightsAnalysisArn, `arn:aws:ec2:ap-northeast-2:${LAB_ACCOUNT}:network-insights-analysis/${a.networkInsightsAnalysisId}`);
  assert.equal(a.status, "succeeded");
  assert.equal(a.networkPathFound, true);
  assert.equal(a.explanations, undefined, "a found path has no explanations");
  assert.equal(a.warningMessage, undefined);
  const forward = a.forwardPathComponents!;
  assert.deepEqual(forward.map((c) => c.sequenceNumber), forward.map((_, i) => i + 1));
  assert.equal(forward[0]!.component.id, inst.id);
  assert.equal(forward[0]!.component.name, "private-instance");
  assert.deepEqual(forward[0]!.outboundHeader, {
    destinationAddresses: [`${ctx.world.networkInterfaces.get(ep.networkInterfaceIds[0]!)!.privateIpAddress}/32`],
    destinationPortRanges: [{ from: 443, to: 443 }], protocol: "6",
    sourceAddresses: ["10.0.1.103/32"], sourcePortRanges: [{ from: 32768, to: 61000 }],
  });
  assert.ok(ids(forward).includes(ep.id), "through the endpoint");
  const sgHop = forward.find((c) => c.component.id === endpointSg.id)!;
  assert.deepEqual(sgHop.securityGroupRule, { cidr: "10.0.0.0/16", direction: "ingress", securityGroupId: endpointSg.id, portRange: { from: 443, to: 443 }, protocol: "tcp" });
  assert.equal(sgHop.component.arn, `arn:aws:ec2:ap-northeast-2:${LAB_ACCOUNT}:security-group/${endpointSg.id}`);
  const rtHop = forward.find((c) => c.routeTableRoute)!;
  assert.deepEqual(rtHop.routeTableRoute, { destinationCidr: "10.0.0.0/16", gatewayId: "local", origin: "createroutetable", state: "active" });
  assert.equal(forward.find((c) => c.component.id === ep.id)!.serviceName, "com.amazonaws.ap-northeast-2.cloudformation");
  assert.ok(forward.at(-1)!.inboundHeader, "the destination's component shows the packet as it arrives");
  assert.ok(a.returnPathComponents!.length > 0);
  assert.equal(a.vpclabTrace!.reachable, true, "the whole vpclab trace is kept alongside");

  // The endpoint's ENI as the destination is the same path.
  const viaEni = analyse(ctx, { source: inst.id, destination: ep.networkInterfaceIds[0]!, protocol: "tcp", destinationPort: 443 });
  assert.equal(viaEni.networkPathFound, true);
});

test("lab 2: without 443 in the endpoint's security group the analysis names the group, the ENI and the port", () => {
  const before = lab("lab2-interface-endpoint.yaml", "lab2-step3-add-endpoint.yaml");
  const inst = named(before.world.instances.values(), "private-instance");
  const ep = named(before.world.vpcEndpoints.values(), "cloudformation");
  const path = createNetworkInsightsPath(before, { source: inst.id, destination: ep.id, protocol: "tcp", destinationPort: 443 });
  const found = startNetworkInsightsAnalysis(before, { networkInsightsPathId: path.networkInsightsPathId });
  // Paths and analyses are part of the world: the next lab step keeps them.
  const world = applyLab(before.world, readFileSync(`${EXAMPLES}lab2-step5-remove-443.yaml`, "utf8"), "step5").world;
  const ctx: Ctx = { ...before, world };
  const endpointSg = named(world.securityGroups.values(), "endpoint-sg");
  const a = startNetworkInsightsAnalysis(ctx, { networkInsightsPathId: path.networkInsightsPathId });
  assert.equal(a.status, "succeeded");
  assert.equal(a.networkPathFound, false);
  assert.equal(a.explanations!.length, 1);
  const e = a.explanations![0]!;
  assert.equal(e.explanationCode, "ENI_SG_RULES_MISMATCH");
  assert.equal(e.direction, "ingress");
  assert.deepEqual(e.securityGroups!.map((g) => [g.id, g.name]), [[endpointSg.id, "endpoint-sg"]]);
  assert.ok(ep.networkInterfaceIds.includes(e.networkInterface!.id), "the endpoint's ENI");
  assert.equal(e.port, 443);
  assert.deepEqual(e.protocols, ["tcp"]);
  assert.equal(e.vpc!.name, "lab-vpc");
  const blocked = a.forwardPathComponents!.find((c) => c.explanations)!;
  assert.equal(blocked.component.id, endpointSg.id, "the blocking component carries the explanation");
  assert.equal(a.vpclabTrace!.explanations[0]!.fix?.startsWith("aws ec2 authorize-security-group-ingress"), true);

  // Describe: by path, by filters, by time; in creation order.
  const all = describeNetworkInsightsAnalyses(ctx, { networkInsightsPathId: path.networkInsightsPathId });
  assert.deepEqual(all.map((x) => x.networkInsightsAnalysisId), [found.networkInsightsAnalysisId, a.networkInsightsAnalysisId]);
  assert.deepEqual(describeNetworkInsightsAnalyses(ctx, { filters: [{ name: "path-found", values: ["false"] }] }).map((x) => x.networkInsightsAnalysisId), [a.networkInsightsAnalysisId]);
  assert.equal(describeNetworkInsightsAnalyses(ctx, { filters: [{ name: "status", values: ["succeeded"] }] }).length, 2);
  assert.deepEqual(describeNetworkInsightsAnalyses(ctx, { analysisStartTime: a.startDate }).map((x) => x.networkInsightsAnalysisId), [a.networkInsightsAnalysisId]);
  assert.deepEqual(describeNetworkInsightsAnalyses(ctx, { analysisEndTime: new Date(found.startDate) }).map((x) => x.networkInsightsAnalysisId), [found.networkInsightsAnalysisId]);
  assert.deepEqual(describeNetworkInsightsAnalyses(ctx, { networkInsightsAnalysisIds: [a.networkInsightsAnalysisId] })[0], a);
});

test("an internet gateway as the source: traffic from the internet to an instance's public address", () => {
  const ctx = lab("lab2-interface-endpoint.yaml");
  const igw = named(ctx.world.internetGateways.values(), "lab-igw");
  const pub = named(ctx.world.instances.values(), "public-instance");
  const priv = named(ctx.world.instances.values(), "private-instance");
  const instanceSg = named(ctx.world.securityGroups.values(), "instance-sg");

  const ssh = analyse(ctx, { source: igw.id, destination: pub.id, protocol: "tcp", destinationPort: 22 });
  assert.equal(ssh.networkPathFound, true);
  assert.deepEqual(ids(ssh.forwardPathComponents).filter((id) => /^(igw|sg|i)-/.test(id)), [igw.id, instanceSg.id, pub.id]);
  assert.deepEqual(ssh.forwardPathComponents![0]!.outboundHeader!.destinationAddresses, [`${pub.publicIpAddress!}/32`]);
  assert.deepEqual(ssh.forwardPathComponents!.at(-1)!.inboundHeader!.destinationAddresses, [`${pub.privateIpAddress}/32`], "the gateway translated it");
  const back = ssh.returnPathComponents!;
  assert.equal(back.at(-1)!.component.id, igw.id, "the reply leaves through the gateway");
  assert.deepEqual(back.find((c) => c.routeTableRoute)!.routeTableRoute, { destinationCidr: "0.0.0.0/0", gatewayId: igw.id, origin: "createroute", state: "active" });

  const https = analyse(ctx, { source: igw.id, destination: pub.id, protocol: "tcp", destinationPort: 443 });
  assert.equal(https.networkPathFound, false);
  assert.deepEqual(https.explanations!.map((e) => [e.explanationCode, e.direction]), [["ENI_SG_RULES_MISMATCH", "ingress"]]);

  const toPrivate = analyse(ctx, { source: igw.id, destination: priv.id, protocol: "tcp", destinationPort: 22 });
  assert.equal(toPrivate.networkPathFound, false);
  assert.equal(toPrivate.explanations![0]!.explanationCode, "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS");
  assert.equal(toPrivate.explanations![0]!.internetGateway!.id, igw.id);
  // ... and the walk went on to the instance, so everything else that blocks would be listed too.
  assert.ok(ids(toPrivate.forwardPathComponents).includes(priv.id));

  const privateSource = analyse(ctx, { source: igw.id, destination: pub.id, protocol: "tcp", destinationPort: 22, sourceIp: "10.9.9.9" });
  assert.deepEqual(privateSource.explanations!.map((e) => e.explanationCode), ["IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS"]);
});

test("lab 1: the gateway endpoint's route, routes that lose to it, and paths to the internet", () => {
  const before = lab("lab1-gateway-endpoint.yaml");
  const igw = named(before.world.internetGateways.values(), "lab-igw");
  const pub = named(before.world.instances.values(), "public-instance");
  const priv = named(before.world.instances.values(), "private-instance");

  const out = analyse(before, { source: pub.id, destination: igw.id, protocol: "tcp" });
  assert.equal(out.networkPathFound, true, "to the internet (8.8.8.8) through the gateway");
  assert.match(out.warningMessage!, new RegExp(`vpclab analysed ${DEFAULT_ANALYSIS_PORT}`));
  assert.deepEqual(out.forwardPathComponents![0]!.outboundHeader!.destinationAddresses, ["8.8.8.8/32"]);
  const noRoute = analyse(before, { source: priv.id, destination: igw.id, protocol: "tcp", destinationPort: 443 });
  assert.equal(noRoute.networkPathFound, false);
  const e = noRoute.explanations![0]!;
  assert.equal(e.explanationCode, "NO_ROUTE_TO_DESTINATION");
  assert.equal(e.routeTable!.name, "private-rt");
  assert.equal(e.subnet!.id, priv.subnetId);
  const toIp = analyse(before, { source: pub.id, protocol: "udp", filterAtSource: { destinationAddress: "1.1.1.1", destinationPortRange: { fromPort: 53, toPort: 53 } } });
  assert.equal(toIp.networkPathFound, true, "an IP address as the destination");
  assert.equal(toIp.forwardPathComponents![0]!.outboundHeader!.protocol, "17");

  const ctx = lab("lab1-gateway-endpoint.yaml", "lab1-step4-add-endpoint.yaml");
  const ep = named(ctx.world.vpcEndpoints.values(), "s3-gateway");
  const viaEndpoint = analyse(ctx, { source: priv.id, destination: ep.id, protocol: "tcp", destinationPort: 443 });
  assert.equal(viaEndpoint.networkPathFound, true);
  assert.deepEqual(viaEndpoint.forwardPathComponents!.find((c) => c.routeTableRoute)!.routeTableRoute, { destinationPrefixListId: "pl-78a54011", gatewayId: ep.id, origin: "createroute", state: "active" });
  // From the public subnet the prefix-list route beats 0.0.0.0/0: a note, not an explanation.
  const fromPublic = analyse(ctx, { source: pub.id, destination: ep.id, protocol: "tcp", destinationPort: 443 });
  assert.equal(fromPublic.networkPathFound, true);
  assert.equal(fromPublic.explanations, undefined);
  assert.deepEqual(fromPublic.forwardPathComponents!.flatMap((c) => c.additionalDetails ?? []).map((d) => d.additionalDetailType), ["MORE_SPECIFIC_ROUTE"]);
  // A path that must avoid the endpoint finds nothing; one that must go through the gateway neither.
  const path = describeNetworkInsightsPaths(ctx, { filters: [{ name: "source", values: [pub.id] }, { name: "destination", values: [ep.id] }] })[0]!;
  const avoid = startNetworkInsightsAnalysis(ctx, { networkInsightsPathId: path.networkInsightsPathId, filterOutArns: [`arn:aws:ec2:ap-northeast-2:${LAB_ACCOUNT}:vpc-endpoint/${ep.id}`] });
  assert.deepEqual([avoid.networkPathFound, avoid.explanations!.map((x) => x.explanationCode)], [false, ["NO_PATH"]]);
  const through = startNetworkInsightsAnalysis(ctx, { networkInsightsPathId: path.networkInsightsPathId, filterInArns: [`arn:aws:ec2:ap-northeast-2:${LAB_ACCOUNT}:internet-gateway/${igw.id}`] });
  assert.deepEqual([through.networkPathFound, through.explanations!.map((x) => x.explanationCode)], [false, ["COMPONENT_FILTER_RESTRICTION"]]);
});

test("CreateNetworkInsightsPath and the other actions answer AWS's errors and change nothing", () => {
  const ctx = lab("lab2-interface-endpoint.yaml");
  const inst = named(ctx.world.instances.values(), "private-instance");
  const pub = named(ctx.world.instances.values(), "public-instance");
  const sg = named(ctx.world.securityGroups.values(), "instance-sg");
  const ok = { source: inst.id, destination: pub.id, protocol: "tcp", destinationPort: 22 };
  rejects(ctx, () => createNetworkInsightsPath(ctx, { ...ok, protocol: "icmp" }), "InvalidParameterValue", /parameter Protocol/);
  rejects(ctx, () => createNetworkInsightsPath(ctx, { source: inst.id, protocol: "tcp", destinationIp: "10.0.0.10" }), "MissingParameter",
    "The request must include either the Destination parameter or the FilterAtSource.DestinationAddress parameter. Add the required parameter and retry the request.");
  rejects(ctx, () => createNetworkInsightsPath(ctx, { ...ok, source: sg.id }), "InvalidParameterValue", /not a resource Reachability Analyzer can analyse/);
  rejects(ctx, () => createNetworkInsightsPath(ctx, { ...ok, source: "vgw-0123456789abcdef0" }), "InvalidParameterValue", /vpclab cannot analyse paths with a virtual private gateway as the source/);
  rejects(ctx, () => createNetworkInsightsPath(ctx, { ...ok, source: "i-0123456789abcdef0" }), "InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist");
  rejects(ctx, () => createNetworkInsightsPath(ctx, { ...ok, source: "i-nope" }), "InvalidInstanceID.Malformed");
  rejects(ctx, () => createNetworkInsightsPath(ctx, { ...ok, destination: "eni-0123456789abcdef0" }), "InvalidNetworkInterfaceID.NotFound");
  rejects(ctx, () => createNetworkInsightsPath(ctx, { ...ok, destinationPort: 70000 }), "InvalidParameterValue");
  rejects(ctx, () => createNetworkInsightsPath(ctx, { ...ok, destinationIp: "10.0.0" }), "InvalidParameterValue");
  rejects(ctx, () => createNetworkInsightsPath(ctx, { ...ok, filterAtSource: { destinationAddress: "10.0.0.10" } }), "InvalidParameterCombination");
  rejects(ctx, () => createNetworkInsightsPath(ctx, { ...ok, destinationIp: "10.0.0.10", filterAtDestination: { sourceAddress: "10.0.1.103" } }), "InvalidParameterCombination");
  rejects(ctx, () => createNetworkInsightsPath(ctx, { ...ok, tagSpecifications: [{ resourceType: "vpc", tags: [{ key: "k", value: "v" }] }] }), "InvalidParameterValue", "'vpc' is not a valid taggable resource type for this operation.");

  const path = createNetworkInsightsPath(ctx, { ...ok, protocol: "TCP" });
  assert.equal(path.protocol, "tcp", "AWS's own guide passes TCP");
  const missing = "nip-0123456789abcdef0";
  rejects(ctx, () => describeNetworkInsightsPaths(ctx, { networkInsightsPathIds: [missing] }), "InvalidNetworkInsightsPathId.NotFound", `The networkInsightsPath ID '${missing}' does not exist`);
  rejects(ctx, () => describeNetworkInsightsPaths(ctx, { networkInsightsPathIds: ["nip-zz"] }), "InvalidNetworkInsightsPathId.Malformed");
  rejects(ctx, () => describeNetworkInsightsPaths(ctx, { filters: [{ name: "colour", values: ["blue"] }] }), "InvalidParameterValue", "The filter 'colour' is invalid");
  rejects(ctx, () => startNetworkInsightsAnalysis(ctx, { networkInsightsPathId: missing }), "InvalidNetworkInsightsPathId.NotFound");
  rejects(ctx, () => startNetworkInsightsAnalysis(ctx, { networkInsightsPathId: path.networkInsightsPathId, tagSpecifications: [{ resourceType: "network-insights-path" }] }), "InvalidParameterValue");
  rejects(ctx, () => startNetworkInsightsAnalysis(ctx, { networkInsightsPathId: path.networkInsightsPathId, filterInArns: ["igw-1"] }), "InvalidParameterValue");
  rejects(ctx, () => describeNetworkInsightsAnalyses(ctx, { networkInsightsAnalysisIds: ["nia-0123456789abcdef0"] }), "InvalidNetworkInsightsAnalysisId.NotFound");
  rejects(ctx, () => deleteNetworkInsightsAnalysis(ctx, { networkInsightsAnalysisId: "nia-x" }), "InvalidNetworkInsightsAnalysisId.Malformed");

  // A path with analyses is not deleted: its analyses go first, as AWS requires.
  const a = startNetworkInsightsAnalysis(ctx, { networkInsightsPathId: path.networkInsightsPathId, tagSpecifications: [{ resourceType: "network-insights-analysis", tags: [{ key: "run", value: "1" }] }] });
  assert.deepEqual(a.tags, [{ key: "run", value: "1" }]);
  rejects(ctx, () => deleteNetworkInsightsPath(ctx, { networkInsightsPathId: path.networkInsightsPathId }), "AnalysisExistsForNetworkInsightsPath");
  assert.deepEqual(deleteNetworkInsightsAnalysis(ctx, { networkInsightsAnalysisId: a.networkInsightsAnalysisId }), { networkInsightsAnalysisId: a.networkInsightsAnalysisId });
  assert.deepEqual(deleteNetworkInsightsPath(ctx, { networkInsightsPathId: path.networkInsightsPathId }), { networkInsightsPathId: path.networkInsightsPathId });
  rejects(ctx, () => describeNetworkInsightsPaths(ctx, { networkInsightsPathIds: [path.networkInsightsPathId] }), "InvalidNetworkInsightsPathId.NotFound");
  assert.equal(ctx.world.networkInsightsPaths.size + ctx.world.networkInsightsAnalyses.size, 0);
});

test("describe filters, and other accounts neither see nor use a path", () => {
  const ctx = lab("lab2-interface-endpoint.yaml");
  const other: Ctx = { ...ctx, account: "222222222222" };
  const inst = named(ctx.world.instances.values(), "private-instance");
  const pub = named(ctx.world.instances.values(), "public-instance");
  const a = createNetworkInsightsPath(ctx, { source: inst.id, destination: pub.id, protocol: "tcp", destinationPort: 22, tagSpecifications: [{ resourceType: "network-insights-path", tags: [{ key: "Name", value: "ssh" }] }] });
  const b = createNetworkInsightsPath(ctx, { source: `arn:aws:ec2:ap-northeast-2:${LAB_ACCOUNT}:instance/${pub.id}`, protocol: "udp", filterAtSource: { destinationAddress: "10.0.1.103", destinationPortRange: { fromPort: 53, toPort: 53 } } });
  assert.equal(b.source, pub.id, "an ARN names the resource; the path keeps its id");
  const names = (filters: { name: string; values: string[] }[]): string[] => describeNetworkInsightsPaths(ctx, { filters }).map((p) => p.networkInsightsPathId);
  assert.deepEqual(names([]), [a.networkInsightsPathId, b.networkInsightsPathId]);
  assert.deepEqual(names([{ name: "protocol", values: ["udp"] }]), [b.networkInsightsPathId]);
  assert.deepEqual(names([{ name: "source", values: [inst.id] }]), [a.networkInsightsPathId]);
  assert.deepEqual(names([{ name: "destination-port", values: ["22"] }]), [a.networkInsightsPathId]);
  assert.deepEqual(names([{ name: "tag:Name", values: ["ss*"] }]), [a.networkInsightsPathId]);
  assert.deepEqual(names([{ name: "filter-at-source.destination-address", values: ["10.0.1.103"] }]), [b.networkInsightsPathId]);
  assert.deepEqual(names([{ name: "filter-at-source.destination-port-range", values: ["53"] }]), [b.networkInsightsPathId]);

  assert.deepEqual(describeNetworkInsightsPaths(other), []);
  rejects(other, () => describeNetworkInsightsPaths(other, { networkInsightsPathIds: [a.networkInsightsPathId] }), "InvalidNetworkInsightsPathId.NotFound");
  rejects(other, () => startNetworkInsightsAnalysis(other, { networkInsightsPathId: a.networkInsightsPathId }), "InvalidNetworkInsightsPathId.NotFound");
  rejects(other, () => deleteNetworkInsightsPath(other, { networkInsightsPathId: a.networkInsightsPathId }), "InvalidNetworkInsightsPathId.NotFound");
  rejects(other, () => createNetworkInsightsPath(other, { source: inst.id, destination: pub.id, protocol: "tcp" }), "InvalidInstanceID.NotFound");
  rejects(other, () => createNetworkInsightsPath(other, { source: `arn:aws:ec2:ap-northeast-2:${LAB_ACCOUNT}:instance/${inst.id}`, destination: pub.id, protocol: "tcp" }), "InvalidInstanceID.NotFound");
  const analysis = startNetworkInsightsAnalysis(ctx, { networkInsightsPathId: a.networkInsightsPathId });
  assert.deepEqual(describeNetworkInsightsAnalyses(other), []);
  rejects(other, () => deleteNetworkInsightsAnalysis(other, { networkInsightsAnalysisId: analysis.networkInsightsAnalysisId }), "InvalidNetworkInsightsAnalysisId.NotFound");
  const elsewhere: Ctx = { ...ctx, region: "us-east-1" };
  assert.deepEqual(describeNetworkInsightsPaths(elsewhere), [], "paths are regional");
});

test("an analysis whose source is gone fails; a terminated instance is not associated with any network", () => {
  const ctx = lab("lab2-interface-endpoint.yaml");
  const inst = named(ctx.world.instances.values(), "private-instance");
  const pub = named(ctx.world.instances.values(), "public-instance");
  const fromEni = createNetworkInsightsPath(ctx, { source: inst.networkInterfaceId, destination: pub.id, protocol: "tcp", destinationPort: 22 });
  const fromInstance = createNetworkInsightsPath(ctx, { source: inst.id, destination: pub.id, protocol: "tcp", destinationPort: 22 });
  assert.equal(startNetworkInsightsAnalysis(ctx, { networkInsightsPathId: fromEni.networkInsightsPathId }).networkPathFound, true);
  terminateInstances(ctx, [inst.id]);
  const failed = startNetworkInsightsAnalysis(ctx, { networkInsightsPathId: fromEni.networkInsightsPathId });
  assert.deepEqual([failed.status, failed.statusMessage, failed.networkPathFound], ["failed", `The request failed due to missing component ${inst.networkInterfaceId}`, undefined]);
  const unassociated = startNetworkInsightsAnalysis(ctx, { networkInsightsPathId: fromInstance.networkInsightsPathId });
  assert.equal(unassociated.status, "succeeded");
  assert.equal(unassociated.networkPathFound, false);
  assert.deepEqual(unassociated.explanations!.map((e) => [e.explanationCode, e.component?.id]), [["UNASSOCIATED_COMPONENT", inst.id]]);
  assert.deepEqual(describeNetworkInsightsAnalyses(ctx, { filters: [{ name: "status", values: ["failed"] }] }).map((x) => x.networkInsightsAnalysisId), [failed.networkInsightsAnalysisId]);
});

// ---- Load balancers and PrivateLink (lab 3) ----

/** Lab 3's files, each in its own account; the analyses run as the consumer (222222222222). */
function lab3(accepted: boolean): Ctx {
  let world = new World();
  for (const f of ["lab3-provider.yaml", "lab3-consumer.yaml", ...(accepted ? ["lab3-step4-accept.yaml"] : [])]) {
    world = applyLab(world, readFileSync(`${EXAMPLES}${f}`, "utf8"), f).world;
  }
  return { world, account: "222222222222", region: "ap-northeast-2" };
}

test("lab 3: through an interface endpoint to a customer service, the path shows the service, the load balancer, its listener and target group, and the target", () => {
  const pending = lab3(false);
  const client = named(pending.world.instances.values(), "consumer-instance");
  const ep = named(pending.world.vpcEndpoints.values(), "web-endpoint");
  const waiting = analyse(pending, { source: client.id, destination: ep.id, protocol: "tcp", destinationPort: 80 });
  assert.equal(waiting.networkPathFound, false);
  assert.deepEqual(waiting.explanations!.map((e) => e.explanationCode), ["VPCE_CONNECTION_PENDING_ACCEPTANCE"]);
  assert.deepEqual(waiting.explanations![0]!.vpcEndpoint?.id, ep.id);
  assert.equal((waiting.explanations![0] as { state?: string }).state, "pendingAcceptance");
  assert.ok(waiting.forwardPathComponents!.find((c) => c.component.id === ep.id)!.explanations, "the endpoint's component carries it");

  const ctx = lab3(true);
  const web = named(ctx.world.instances.values(), "web-server");
  const lb = [...ctx.world.loadBalancers.values()].find((x) => x.name === "web-nlb")!;
  const svc = named(ctx.world.endpointServices.values(), "web-svc");
  const a = analyse(ctx, { source: client.id, destination: ep.id, protocol: "tcp", destinationPort: 80 });
  assert.equal(a.networkPathFound, true, JSON.stringify(a.vpclabTrace!.explanations));
  const forward = a.forwardPathComponents! as (PathComponent & { elasticLoadBalancerListener?: { id: string } })[];
  const lbHop = forward.find((c) => c.component.id === lb.id)!;
  assert.deepEqual(lbHop.component, { id: lb.id, arn: lb.id, name: "web-nlb" }, "an ELBv2 component is named by its ARN");
  assert.equal(lbHop.vpc?.id, lb.vpcId);
  const listener = forward.find((c) => c.elasticLoadBalancerListener)!;
  assert.match(listener.elasticLoadBalancerListener!.id, /:listener\/net\/web-nlb\//);
  assert.ok(forward.some((c) => /:targetgroup\/web-tg\//.test(c.component.id)));
  const svcHop = forward.find((c) => c.component.id === svc.id)!;
  assert.equal(svcHop.serviceName, svc.serviceName);
  assert.equal(svcHop.component.arn, `arn:aws:ec2:ap-northeast-2:111111111111:vpc-endpoint-service/${svc.id}`);
  // The packet as the source sends it (to the endpoint), and as the target gets it (from the node, on the target's port).
  const node = lb.zones.find((z) => z.zoneName === "ap-northeast-2a")!;
  assert.deepEqual(forward[0]!.outboundHeader!.destinationPortRanges, [{ from: 80, to: 80 }]);
  const arrival = forward.find((c) => c.component.id === web.id)!.inboundHeader!;
  assert.deepEqual([arrival.sourceAddresses, arrival.destinationAddresses, arrival.destinationPortRanges], [[`${node.privateIpv4Address}/32`], ["10.1.1.10/32"], [{ from: 80, to: 80 }]]);
  assert.ok(a.returnPathComponents!.some((c) => c.component.id === lb.id), "the reply comes back through the node");
});

test("lab 3: a port no listener takes is ELBV2_LISTENERS_MISMATCH, with the load balancer's ARN and the port", () => {
  const ctx = lab3(true);
  const client = named(ctx.world.instances.values(), "consumer-instance");
  const ep = named(ctx.world.vpcEndpoints.values(), "web-endpoint");
  const lb = [...ctx.world.loadBalancers.values()].find((x) => x.name === "web-nlb")!;
  // The endpoint's group admits 22, the listener only 80.
  const a = analyse(ctx, { source: client.id, destination: ep.id, protocol: "tcp", destinationPort: 22 });
  assert.equal(a.networkPathFound, false);
  const e = a.explanations![0]! as { explanationCode: string; loadBalancerArn?: string; loadBalancerListenerPort?: number; component?: { id: string } };
  assert.deepEqual([e.explanationCode, e.loadBalancerArn, e.loadBalancerListenerPort, e.component?.id], ["ELBV2_LISTENERS_MISMATCH", lb.id, 22, lb.id]);
  // The API renders the model's members: the ARN and port reach the wire.
  const xml = renderResult(EC2_MODEL, "StartNetworkInsightsAnalysis", { networkInsightsAnalysis: a }, "r-1");
  assert.match(xml, new RegExp(`<loadBalancerArn>${lb.id}</loadBalancerArn>`));
  assert.match(xml, /<loadBalancerListenerPort>22<\/loadBalancerListenerPort>/);
  assert.match(xml, /<explanationCode>ELBV2_LISTENERS_MISMATCH<\/explanationCode>/);
});
