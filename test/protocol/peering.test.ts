// VPC peering through the real AWS SDK for JavaScript (and once through aws-cli) against a running
// server: requested by one account, seen and accepted by the other, routed from both sides.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  AcceptVpcPeeringConnectionCommand, CreateRouteCommand, CreateVpcCommand, CreateVpcPeeringConnectionCommand, DeleteVpcPeeringConnectionCommand,
  DescribeRouteTablesCommand, DescribeVpcPeeringConnectionsCommand, type DescribeVpcPeeringConnectionsResult, type EC2Client, type Filter,
} from "@aws-sdk/client-ec2";
import { REGION, type TestServer, ec2, errorCode, startTestServer } from "../e2e/server.js";

const A = "111111111111";
const B = "222222222222";

async function vpc(c: EC2Client, cidr: string): Promise<string> {
  return (await c.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;
}

async function peerings(c: EC2Client, filters?: Filter[]): Promise<NonNullable<DescribeVpcPeeringConnectionsResult["VpcPeeringConnections"]>> {
  return (await c.send(new DescribeVpcPeeringConnectionsCommand({ Filters: filters }))).VpcPeeringConnections!;
}

/** Asserts the call fails with `code` and that neither side's view of its connections changed. */
async function unchanged(sides: EC2Client[], call: () => Promise<unknown>, code: string): Promise<void> {
  const before = await Promise.all(sides.map((c) => peerings(c)));
  assert.equal(await errorCode(call()), code);
  assert.deepEqual(await Promise.all(sides.map((c) => peerings(c))), before);
}

/** aws-cli as a child process: asynchronous, because the server answering it runs in this process. */
async function awsCli<T>(server: TestServer, account: string, ...args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)("aws", ["--endpoint-url", server.endpoint, "--output", "json", "ec2", ...args], {
    encoding: "utf8",
    env: { ...process.env, AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "x", AWS_DEFAULT_REGION: REGION, AWS_PAGER: "", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" },
  });
  return (stdout.trim() ? JSON.parse(stdout) : {}) as T;
}

test("cross-account peering: both sides see it, only the accepter accepts, both route, either deletes", async () => {
  const server = await startTestServer();
  try {
    const a = ec2(server, A);
    const b = ec2(server, B);
    const vpcA = await vpc(a, "10.0.0.0/16");
    const vpcB = await vpc(b, "10.1.0.0/16");

    // Another account's VPC exists for the requester only with PeerOwnerId.
    await unchanged([a, b], () => a.send(new CreateVpcPeeringConnectionCommand({ VpcId: vpcA, PeerVpcId: vpcB })), "InvalidVpcID.NotFound");
    await unchanged([a, b], () => a.send(new CreateVpcPeeringConnectionCommand({ VpcId: vpcA })), "MissingParameter");
    await unchanged([a, b], () => a.send(new CreateVpcPeeringConnectionCommand({ VpcId: vpcB, PeerVpcId: vpcA })), "InvalidVpcID.NotFound");
    const { VpcPeeringConnection } = await a.send(new CreateVpcPeeringConnectionCommand({
      VpcId: vpcA, PeerVpcId: vpcB, PeerOwnerId: B, TagSpecifications: [{ ResourceType: "vpc-peering-connection", Tags: [{ Key: "Name", Value: "a-b" }] }],
    }));
    const pcx = VpcPeeringConnection!.VpcPeeringConnectionId!;
    assert.match(pcx, /^pcx-[0-9a-f]{17}$/);
    assert.deepEqual(VpcPeeringConnection!.Status, { Code: "pending-acceptance", Message: `Pending Acceptance by ${B}` });
    assert.deepEqual(VpcPeeringConnection!.RequesterVpcInfo, { VpcId: vpcA, OwnerId: A, Region: REGION, CidrBlock: "10.0.0.0/16", CidrBlockSet: [{ CidrBlock: "10.0.0.0/16" }] });
    assert.deepEqual(VpcPeeringConnection!.AccepterVpcInfo, { VpcId: vpcB, OwnerId: B, Region: REGION }, "the accepter's CIDR is not shown before it accepts");
    assert.deepEqual(VpcPeeringConnection!.Tags, [{ Key: "Name", Value: "a-b" }]);

    // The accepter sees the request too, without the requester's tags; a third account sees nothing.
    const [seenByB] = await peerings(b);
    assert.equal(seenByB!.VpcPeeringConnectionId, pcx);
    assert.deepEqual(seenByB!.Tags, []);
    assert.deepEqual((await peerings(b, [{ Name: "requester-vpc-info.vpc-id", Values: [vpcA] }, { Name: "status-code", Values: ["pending-acceptance"] }])).map((p) => p.VpcPeeringConnectionId), [pcx]);
    assert.deepEqual((await peerings(b, [{ Name: "tag:Name", Values: ["a-b"] }])), []);
    assert.deepEqual((await peerings(a, [{ Name: "tag:Name", Values: ["a-b"] }])).map((p) => p.VpcPeeringConnectionId), [pcx]);
    const c = ec2(server, "333333333333");
    assert.deepEqual(await peerings(c), []);
    assert.equal(await errorCode(c.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [pcx] }))), "InvalidVpcPeeringConnectionID.NotFound");
    await unchanged([a, b], () => c.send(new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx })), "InvalidVpcPeeringConnectionID.NotFound");

    // Only the accepter accepts; then both VPCs' CIDRs and peering options show.
    await unchanged([a, b], () => a.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx })), "InvalidVpcPeeringConnectionID.NotFound");
    await unchanged([a, b], () => b.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: "pcx-bad" })), "InvalidVpcPeeringConnectionId.Malformed");
    const accepted = (await b.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }))).VpcPeeringConnection!;
    assert.deepEqual(accepted.Status, { Code: "active", Message: "Active" });
    assert.equal(accepted.AccepterVpcInfo!.CidrBlock, "10.1.0.0/16");
    assert.equal(accepted.AccepterVpcInfo!.PeeringOptions!.AllowDnsResolutionFromRemoteVpc, false);
    const [seenByA] = await peerings(a, [{ Name: "vpc-peering-connection-id", Values: [pcx] }]);
    assert.equal(seenByA!.Status!.Code, "active");
    assert.deepEqual((await peerings(a, [{ Name: "accepter-vpc-info.cidr-block", Values: ["10.1.0.0/16"] }, { Name: "accepter-vpc-info.owner-id", Values: [B] }])).map((p) => p.VpcPeeringConnectionId), [pcx]);

    // Each side routes to the other through the connection in its own route tables.
    const mainA = (await a.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpcA] }] }))).RouteTables![0]!.RouteTableId!;
    const mainB = (await b.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpcB] }] }))).RouteTables![0]!.RouteTableId!;
    await a.send(new CreateRouteCommand({ RouteTableId: mainA, DestinationCidrBlock: "10.1.0.0/16", VpcPeeringConnectionId: pcx }));
    await b.send(new CreateRouteCommand({ RouteTableId: mainB, DestinationCidrBlock: "10.0.0.0/16", VpcPeeringConnectionId: pcx }));
    assert.equal(await errorCode(c.send(new CreateRouteCommand({ RouteTableId: mainA, DestinationCidrBlock: "10.1.0.0/16", VpcPeeringConnectionId: pcx }))), "InvalidRouteTableID.NotFound");
    const peered = (await b.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "route.vpc-peering-connection-id", Values: [pcx] }] }))).RouteTables!;
    assert.deepEqual(peered.map((t) => t.RouteTableId), [mainB]);

    // The accepter deletes; the requester's routes through it become blackholes.
    assert.equal((await b.send(new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }))).Return, true);
    const [deleted] = await peerings(a);
    assert.deepEqual(deleted!.Status, { Code: "deleted", Message: `Deleted by ${B}` });
    const blackholes = (await a.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "route.state", Values: ["blackhole"] }] }))).RouteTables!;
    assert.deepEqual(blackholes.map((t) => t.RouteTableId), [mainA]);
    await unchanged([a, b], () => b.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx })), "InvalidStateTransition");
  } finally {
    await server.close();
  }
});

test("peering fails on overlapping CIDRs, and an inter-Region request is accepted in the accepter's Region", async () => {
  const server = await startTestServer();
  try {
    const a = ec2(server, A);
    const b = ec2(server, B);
    const vpcA = await vpc(a, "10.0.0.0/16");
    const overlapping = await vpc(b, "10.0.128.0/17");
    const failed = (await a.send(new CreateVpcPeeringConnectionCommand({ VpcId: vpcA, PeerVpcId: overlapping, PeerOwnerId: B }))).VpcPeeringConnection!;
    assert.equal(failed.Status!.Code, "failed");
    assert.match(failed.Status!.Message!, /Overlapping CIDRs/);
    assert.deepEqual((await peerings(b, [{ Name: "status-code", Values: ["failed"] }])).map((p) => p.VpcPeeringConnectionId), [failed.VpcPeeringConnectionId]);
    await unchanged([a, b], () => b.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: failed.VpcPeeringConnectionId! })), "InvalidStateTransition");

    // Same account, another Region: the request is seen and accepted there.
    const east = ec2(server, A, "us-east-1");
    const vpcEast = await vpc(east, "10.2.0.0/16");
    await unchanged([a, east], () => a.send(new CreateVpcPeeringConnectionCommand({ VpcId: vpcA, PeerVpcId: vpcEast })), "InvalidVpcID.NotFound");
    const pcx = (await a.send(new CreateVpcPeeringConnectionCommand({ VpcId: vpcA, PeerVpcId: vpcEast, PeerRegion: "us-east-1" }))).VpcPeeringConnection!;
    assert.equal(pcx.AccepterVpcInfo!.Region, "us-east-1");
    assert.equal(pcx.RequesterVpcInfo!.Region, REGION);
    await unchanged([a, east], () => a.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx.VpcPeeringConnectionId! })), "InvalidVpcPeeringConnectionID.NotFound");
    assert.deepEqual((await peerings(east)).map((p) => p.VpcPeeringConnectionId), [pcx.VpcPeeringConnectionId]);
    assert.equal((await east.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx.VpcPeeringConnectionId! }))).VpcPeeringConnection!.Status!.Code, "active");
    assert.deepEqual((await peerings(a, [{ Name: "status-code", Values: ["active"] }])).map((p) => p.VpcPeeringConnectionId), [pcx.VpcPeeringConnectionId]);
    assert.equal(await errorCode(a.send(new DescribeVpcPeeringConnectionsCommand({ MaxResults: 1001 }))), "InvalidParameterValue");
    assert.equal(await errorCode(a.send(new DescribeVpcPeeringConnectionsCommand({ Filters: [{ Name: "requester-vpc-info.region", Values: [REGION] }] }))), "InvalidParameterValue");
  } finally {
    await server.close();
  }
});

test("aws-cli shows a peering connection to the accepter account", async () => {
  const server = await startTestServer();
  try {
    const vpcA = (await awsCli<{ Vpc: { VpcId: string } }>(server, A, "create-vpc", "--cidr-block", "10.0.0.0/16")).Vpc.VpcId;
    const vpcB = (await awsCli<{ Vpc: { VpcId: string } }>(server, B, "create-vpc", "--cidr-block", "10.1.0.0/16")).Vpc.VpcId;
    const pcx = (await awsCli<{ VpcPeeringConnection: { VpcPeeringConnectionId: string } }>(server, A, "create-vpc-peering-connection", "--vpc-id", vpcA, "--peer-vpc-id", vpcB, "--peer-owner-id", B)).VpcPeeringConnection.VpcPeeringConnectionId;
    const pending = await awsCli<DescribeVpcPeeringConnectionsResult>(server, B, "describe-vpc-peering-connections", "--filters", "Name=status-code,Values=pending-acceptance");
    assert.deepEqual(pending.VpcPeeringConnections, [{
      VpcPeeringConnectionId: pcx,
      RequesterVpcInfo: { VpcId: vpcA, OwnerId: A, Region: REGION, CidrBlock: "10.0.0.0/16", CidrBlockSet: [{ CidrBlock: "10.0.0.0/16" }] },
      AccepterVpcInfo: { VpcId: vpcB, OwnerId: B, Region: REGION },
      Status: { Code: "pending-acceptance", Message: `Pending Acceptance by ${B}` },
      Tags: [],
    }]);
    const accepted = await awsCli<{ VpcPeeringConnection: { Status: { Code: string } } }>(server, B, "accept-vpc-peering-connection", "--vpc-peering-connection-id", pcx);
    assert.equal(accepted.VpcPeeringConnection.Status.Code, "active");
    assert.deepEqual(await awsCli(server, A, "delete-vpc-peering-connection", "--vpc-peering-connection-id", pcx), { Return: true });
  } finally {
    await server.close();
  }
});
