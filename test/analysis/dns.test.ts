import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "../../src/analysis/dns.js";
import { NetworkView } from "../../src/analysis/view.js";
import { createVpcEndpoint } from "../../src/control/endpoints.js";
import { runInstances } from "../../src/control/instances.js";
import { modifyVpcAttribute } from "../../src/control/vpcs.js";
import { freshCtx, vpcWithSubnets } from "../helpers.js";

function setup(): { ctx: ReturnType<typeof freshCtx>; vpcId: string; subnetA: string; subnetC: string; at: { vpcId: string; component: { id: string; type: string } } } {
  const ctx = freshCtx();
  const ids = vpcWithSubnets(ctx);
  return { ctx, ...ids, at: { vpcId: ids.vpcId, component: { id: "i-test", type: "instance" } } };
}

test("public S3 names answer several addresses, rotating from query to query", () => {
  const { ctx, at } = setup();
  const view = new NetworkView(ctx.world);
  const a = resolve(view, at, "s3.ap-northeast-2.amazonaws.com", 0);
  const b = resolve(view, at, "s3.ap-northeast-2.amazonaws.com", 1);
  assert.equal(a.status, "NOERROR");
  assert.equal(a.source.kind, "aws-public");
  assert.ok(a.answers.length > 1);
  assert.notEqual(a.answers[0]!.value, b.answers[0]!.value);
  assert.deepEqual(new Set(a.answers.map((x) => x.value)), new Set(b.answers.map((x) => x.value)));
  assert.equal(resolve(view, at, "mybucket.s3.ap-northeast-2.amazonaws.com").source.kind, "aws-public", "bucket names too");
  assert.equal(resolve(view, at, "nothing.example.com").status, "NXDOMAIN");
});

test("private DNS answers the endpoint's ENI addresses, only while both VPC DNS attributes are on", () => {
  const { ctx, vpcId, subnetA, subnetC, at } = setup();
  const ep = createVpcEndpoint(ctx, { vpcId, serviceName: "com.amazonaws.ap-northeast-2.cloudformation", vpcEndpointType: "Interface", subnetIds: [subnetA, subnetC], privateDnsEnabled: true });
  const enis = ctx.world.vpcEndpoints.get(ep.id)!.networkInterfaceIds.map((id) => ctx.world.networkInterfaces.get(id)!);
  let r = resolve(new NetworkView(ctx.world), at, "cloudformation.ap-northeast-2.amazonaws.com");
  assert.equal(r.source.kind, "private-dns");
  assert.deepEqual(r.answers.map((a) => a.value).sort(), enis.map((e) => e.privateIpAddress).sort());
  assert.equal(r.answers[0]!.ttl, 60);
  const regional = ctx.world.vpcEndpoints.get(ep.id)!.dnsEntries[0]!.dnsName;
  const zonalC = ctx.world.vpcEndpoints.get(ep.id)!.dnsEntries.find((d) => d.dnsName.includes("-ap-northeast-2c."))!.dnsName;
  const outside = { component: { id: "internet", type: "internet" } };
  assert.equal(resolve(new NetworkView(ctx.world), outside, regional).answers.length, 2, "vpce names are public records");
  assert.deepEqual(resolve(new NetworkView(ctx.world), outside, zonalC).answers.map((a) => a.value), [enis.find((e) => e.availabilityZone === "ap-northeast-2c")!.privateIpAddress]);
  modifyVpcAttribute(ctx, vpcId, "enableDnsHostnames", false);
  r = resolve(new NetworkView(ctx.world), at, "cloudformation.ap-northeast-2.amazonaws.com");
  assert.equal(r.source.kind, "aws-public");
  assert.equal(r.notes[0]?.code, "PRIVATE_DNS_REQUIRES_VPC_DNS_ATTRIBUTES");
  modifyVpcAttribute(ctx, vpcId, "enableDnsSupport", false);
  r = resolve(new NetworkView(ctx.world), at, "cloudformation.ap-northeast-2.amazonaws.com");
  assert.equal(r.status, "NO_RESOLVER");
  assert.equal(r.answers.length, 0);
  assert.equal(r.explanations[0]?.code, "DNS_RESOLUTION_DISABLED");
});

test("EC2 names: ip-* private names and public names, split horizon", () => {
  const { ctx, subnetA, at } = setup();
  const [inst] = runInstances(ctx, { subnetId: subnetA, privateIpAddress: "10.0.1.103", associatePublicIpAddress: true });
  const view = new NetworkView(ctx.world);
  const internal = resolve(view, at, "ip-10-0-1-103.ap-northeast-2.compute.internal");
  assert.deepEqual(internal.answers.map((a) => a.value), ["10.0.1.103"]);
  assert.equal(resolve(view, at, "ip-10-9-1-103.ap-northeast-2.compute.internal").status, "NXDOMAIN", "outside the VPC's CIDR");
  const publicName = `ec2-${inst!.publicIpAddress!.replaceAll(".", "-")}.ap-northeast-2.compute.amazonaws.com`;
  assert.deepEqual(resolve(view, at, publicName).answers.map((a) => a.value), ["10.0.1.103"], "inside the VPC: the private address");
  assert.deepEqual(resolve(view, { component: { id: "x", type: "internet" } }, publicName).answers.map((a) => a.value), [inst!.publicIpAddress]);
  assert.equal(resolve(view, at, publicName.replace("ap-northeast-2", "us-west-2")).status, "NXDOMAIN", "only in its own Region's domain");
  ctx.world.vpcs.get(inst!.vpcId)!.enableDnsHostnames = false;
  assert.equal(resolve(new NetworkView(ctx.world), { component: { id: "x", type: "internet" } }, publicName).status, "NXDOMAIN", "no public DNS name without DNS hostnames");
});
