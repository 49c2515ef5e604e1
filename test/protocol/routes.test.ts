// Route tables, routes, associations and VGW propagation through the real AWS SDK for JavaScript
// (and once through aws-cli) against a running server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  AllocateAddressCommand, AssociateRouteTableCommand, AttachInternetGatewayCommand, AttachVpnGatewayCommand, CreateInternetGatewayCommand,
  CreateNatGatewayCommand, CreateRouteCommand, CreateRouteTableCommand, CreateSubnetCommand, CreateVpcCommand, CreateVpnGatewayCommand,
  DeleteRouteCommand, DeleteRouteTableCommand, DescribeRouteTablesCommand, DisableVgwRoutePropagationCommand, DisassociateRouteTableCommand,
  EnableVgwRoutePropagationCommand, type EC2Client, type Filter, ReplaceRouteCommand, ReplaceRouteTableAssociationCommand,
  type DescribeRouteTablesResult,
} from "@aws-sdk/client-ec2";
import { createVpcEndpoint } from "../../src/control/endpoints.js";
import { createVpnConnection } from "../../src/control/gateways.js";
import { runInstances } from "../../src/control/instances.js";
import { REGION, type TestServer, ec2, errorCode, startTestServer } from "../e2e/server.js";

async function tables(c: EC2Client, filters: Filter[]): Promise<NonNullable<DescribeRouteTablesResult["RouteTables"]>> {
  return (await c.send(new DescribeRouteTablesCommand({ Filters: filters }))).RouteTables!;
}

async function ids(c: EC2Client, filters: Filter[]): Promise<string[]> {
  return (await tables(c, filters)).map((t) => t.RouteTableId!);
}

/** A failed call must leave every route table as it was. */
async function unchanged(c: EC2Client, call: () => Promise<unknown>, code: string): Promise<void> {
  const before = await c.send(new DescribeRouteTablesCommand({}));
  assert.equal(await errorCode(call()), code);
  assert.deepEqual((await c.send(new DescribeRouteTablesCommand({}))).RouteTables, before.RouteTables);
}

/** aws-cli as a child process: asynchronous, because the server answering it runs in this process. */
async function awsCli<T>(server: TestServer, ...args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)("aws", ["--endpoint-url", server.endpoint, "--output", "json", "ec2", ...args], {
    encoding: "utf8",
    env: { ...process.env, AWS_ACCESS_KEY_ID: "111111111111", AWS_SECRET_ACCESS_KEY: "x", AWS_DEFAULT_REGION: REGION, AWS_PAGER: "", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" },
  });
  return (stdout.trim() ? JSON.parse(stdout) : {}) as T;
}

test("route tables: main and custom tables, routes to each target, associations, filters, all-or-nothing", async () => {
  const server = await startTestServer();
  try {
    const a = ec2(server);
    const { Vpc } = await a.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
    const vpcId = Vpc!.VpcId!;
    const subnetA = (await a.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24", AvailabilityZone: "ap-northeast-2a" }))).Subnet!.SubnetId!;
    const subnetB = (await a.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.2.0/24", AvailabilityZone: "ap-northeast-2c" }))).Subnet!.SubnetId!;

    // The main table AWS makes with the VPC: the local route and the main association.
    const [main] = await tables(a, [{ Name: "vpc-id", Values: [vpcId] }]);
    assert.equal(main!.OwnerId, "111111111111");
    assert.deepEqual(main!.Routes, [{ DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", Origin: "CreateRouteTable", State: "active" }]);
    assert.equal(main!.Associations!.length, 1);
    assert.equal(main!.Associations![0]!.Main, true);
    assert.equal(main!.Associations![0]!.SubnetId, undefined);
    assert.deepEqual(main!.Associations![0]!.AssociationState, { State: "associated" });
    assert.deepEqual(await ids(a, [{ Name: "association.main", Values: ["true"] }]), [main!.RouteTableId]);

    const { RouteTable } = await a.send(new CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: [{ ResourceType: "route-table", Tags: [{ Key: "Name", Value: "public" }] }] }));
    const rtb = RouteTable!.RouteTableId!;
    assert.match(rtb, /^rtb-[0-9a-f]{17}$/);
    assert.deepEqual(RouteTable!.Tags, [{ Key: "Name", Value: "public" }]);
    assert.deepEqual(RouteTable!.Associations, []);
    assert.equal(RouteTable!.Routes![0]!.GatewayId, "local");
    assert.deepEqual(await ids(a, [{ Name: "association.main", Values: ["false"] }]), [], "a table with no association matches neither true nor false");
    assert.equal(await errorCode(a.send(new CreateRouteTableCommand({ VpcId: "vpc-0123456789abcdef0" }))), "InvalidVpcID.NotFound");

    const igw = (await a.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    await unchanged(a, () => a.send(new CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw })), "InvalidParameterValue");
    await a.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
    const created = await a.send(new CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }));
    assert.equal(created.Return, true);
    await unchanged(a, () => a.send(new CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw })), "RouteAlreadyExists");
    await unchanged(a, () => a.send(new CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "8.8.8.0/24", GatewayId: "nat-0123456789abcdef0" })), "InvalidGatewayID.NotFound");
    await unchanged(a, () => a.send(new CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "8.8.8.0/24", TransitGatewayId: "tgw-0123456789abcdef0" })), "InvalidParameterValue");
    await unchanged(a, () => a.send(new CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "10.0.9.0/24", GatewayId: igw })), "InvalidParameterValue");
    await unchanged(a, () => a.send(new CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "8.8.8.0/24" })), "MissingParameter");
    assert.equal(await errorCode(a.send(new CreateRouteCommand({ RouteTableId: "rtb-0123456789abcdef0", DestinationCidrBlock: "8.8.8.0/24", GatewayId: igw }))), "InvalidRouteTableID.NotFound");
    assert.equal(await errorCode(a.send(new CreateRouteCommand({ RouteTableId: "rtb-xyz", DestinationCidrBlock: "8.8.8.0/24", GatewayId: igw }))), "InvalidRouteTableId.Malformed");
    assert.deepEqual(await ids(a, [{ Name: "route.gateway-id", Values: [igw] }, { Name: "route.destination-cidr-block", Values: ["0.0.0.0/0"] }]), [rtb]);
    assert.deepEqual(await ids(a, [{ Name: "route.origin", Values: ["CreateRoute"] }, { Name: "route.state", Values: ["active"] }]), [rtb]);

    // Subnet association, then the edge association of the internet gateway with another table.
    const assoc = await a.send(new AssociateRouteTableCommand({ RouteTableId: rtb, SubnetId: subnetA }));
    assert.match(assoc.AssociationId!, /^rtbassoc-[0-9a-f]{17}$/);
    assert.deepEqual(assoc.AssociationState, { State: "associated" });
    await unchanged(a, () => a.send(new AssociateRouteTableCommand({ RouteTableId: rtb, SubnetId: subnetA })), "Resource.AlreadyAssociated");
    await unchanged(a, () => a.send(new AssociateRouteTableCommand({ RouteTableId: rtb })), "MissingParameter");
    assert.deepEqual(await ids(a, [{ Name: "association.subnet-id", Values: [subnetA] }]), [rtb]);
    assert.deepEqual(await ids(a, [{ Name: "association.route-table-association-id", Values: [assoc.AssociationId!] }]), [rtb]);
    const edge = (await a.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
    const edgeAssoc = await a.send(new AssociateRouteTableCommand({ RouteTableId: edge, GatewayId: igw }));
    const [edgeTable] = await tables(a, [{ Name: "association.gateway-id", Values: [igw] }]);
    assert.equal(edgeTable!.RouteTableId, edge);
    assert.deepEqual(edgeTable!.Associations, [{ Main: false, RouteTableAssociationId: edgeAssoc.AssociationId, RouteTableId: edge, GatewayId: igw, AssociationState: { State: "associated" } }]);

    // Replace the default route's target with a NAT gateway, then remove it.
    const eip = await a.send(new AllocateAddressCommand({ Domain: "vpc" }));
    const nat = (await a.send(new CreateNatGatewayCommand({ SubnetId: subnetA, AllocationId: eip.AllocationId! }))).NatGateway!.NatGatewayId!;
    await a.send(new ReplaceRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: nat }));
    const [replaced] = await tables(a, [{ Name: "route.nat-gateway-id", Values: [nat] }]);
    assert.deepEqual(replaced!.Routes!.find((r) => r.DestinationCidrBlock === "0.0.0.0/0"), { DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: nat, Origin: "CreateRoute", State: "active" });
    await unchanged(a, () => a.send(new ReplaceRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "172.16.0.0/12", NatGatewayId: nat })), "InvalidRoute.NotFound");
    await unchanged(a, () => a.send(new DeleteRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "10.0.0.0/16" })), "InvalidParameterValue");
    await unchanged(a, () => a.send(new DeleteRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "172.16.0.0/12" })), "InvalidRoute.NotFound");
    await a.send(new DeleteRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0" }));
    assert.deepEqual(await ids(a, [{ Name: "route.nat-gateway-id", Values: [nat] }]), []);

    // Move subnet A to another table, and make that table the main one.
    const other = (await a.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
    const moved = await a.send(new ReplaceRouteTableAssociationCommand({ AssociationId: assoc.AssociationId!, RouteTableId: other }));
    assert.deepEqual(moved.AssociationState, { State: "associated" });
    assert.deepEqual(await ids(a, [{ Name: "association.subnet-id", Values: [subnetA] }]), [other]);
    await a.send(new ReplaceRouteTableAssociationCommand({ AssociationId: main!.Associations![0]!.RouteTableAssociationId!, RouteTableId: other }));
    assert.deepEqual(await ids(a, [{ Name: "association.main", Values: ["true"] }, { Name: "vpc-id", Values: [vpcId] }]), [other]);
    await unchanged(a, () => a.send(new DisassociateRouteTableCommand({ AssociationId: "rtbassoc-0123456789abcdef0" })), "InvalidAssociationID.NotFound");

    // A table in use cannot be deleted; once free it can.
    const b = await a.send(new AssociateRouteTableCommand({ RouteTableId: rtb, SubnetId: subnetB }));
    await unchanged(a, () => a.send(new DeleteRouteTableCommand({ RouteTableId: rtb })), "DependencyViolation");
    await a.send(new DisassociateRouteTableCommand({ AssociationId: b.AssociationId! }));
    await a.send(new DeleteRouteTableCommand({ RouteTableId: rtb }));
    assert.equal(await errorCode(a.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtb] }))), "InvalidRouteTableID.NotFound");

    // Pages of at most 100, and another account sees none of these tables.
    assert.equal(await errorCode(a.send(new DescribeRouteTablesCommand({ MaxResults: 101 }))), "InvalidParameterValue");
    const page = await a.send(new DescribeRouteTablesCommand({ MaxResults: 5 }));
    assert.equal(page.RouteTables!.length, 3);
    assert.equal(page.NextToken, undefined);
    const stranger = ec2(server, "222222222222");
    assert.deepEqual((await stranger.send(new DescribeRouteTablesCommand({}))).RouteTables, []);
    assert.equal(await errorCode(stranger.send(new DescribeRouteTablesCommand({ RouteTableIds: [other] }))), "InvalidRouteTableID.NotFound");
    assert.equal(await errorCode(stranger.send(new CreateRouteCommand({ RouteTableId: other, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }))), "InvalidRouteTableID.NotFound");
  } finally {
    await server.close();
  }
});

test("route tables list gateway-endpoint prefix-list routes, instance routes and routes a VGW propagates", async () => {
  const server = await startTestServer();
  try {
    const a = ec2(server);
    const vpcId = (await a.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
    const rtb = (await a.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
    // Endpoints and VPN connections have their own actions elsewhere; here they are made on the world directly.
    const ctx = { world: server.store.load(), account: "111111111111", region: REGION };
    const vpce = createVpcEndpoint(ctx, { vpcId, serviceName: `com.amazonaws.${REGION}.s3`, routeTableIds: [rtb] });

    const [withEndpoint] = await tables(a, [{ Name: "route.destination-prefix-list-id", Values: ["pl-78a54011"] }]);
    assert.equal(withEndpoint!.RouteTableId, rtb);
    assert.deepEqual(withEndpoint!.Routes![1], { DestinationPrefixListId: "pl-78a54011", GatewayId: vpce.id, Origin: "CreateRoute", State: "active" });
    assert.deepEqual(await ids(a, [{ Name: "route.gateway-id", Values: [vpce.id] }]), [rtb]);
    await unchanged(a, () => a.send(new DeleteRouteCommand({ RouteTableId: rtb, DestinationPrefixListId: "pl-78a54011" })), "InvalidParameterValue");
    await unchanged(a, () => a.send(new CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "52.0.0.0/8", GatewayId: vpce.id })), "InvalidParameterValue");

    // A route to an appliance instance names the instance, its owner and its primary ENI.
    const subnet = (await a.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24" }))).Subnet!.SubnetId!;
    const [appliance] = runInstances(ctx, { subnetId: subnet });
    await a.send(new CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "100.64.0.0/10", InstanceId: appliance!.id }));
    const [viaInstance] = await tables(a, [{ Name: "route.instance-id", Values: [appliance!.id] }]);
    assert.deepEqual(viaInstance!.Routes!.find((r) => r.DestinationCidrBlock === "100.64.0.0/10"), {
      DestinationCidrBlock: "100.64.0.0/10", InstanceId: appliance!.id, InstanceOwnerId: "111111111111", NetworkInterfaceId: appliance!.networkInterfaceId,
      Origin: "CreateRoute", State: "active",
    });

    const { VpnGateway } = await a.send(new CreateVpnGatewayCommand({ Type: "ipsec.1" }));
    const vgw = VpnGateway!.VpnGatewayId!;
    await unchanged(a, () => a.send(new EnableVgwRoutePropagationCommand({ RouteTableId: rtb, GatewayId: vgw })), "InvalidParameterValue");
    await a.send(new AttachVpnGatewayCommand({ VpnGatewayId: vgw, VpcId: vpcId }));
    createVpnConnection(ctx, { vpnGatewayId: vgw, customerGatewayIp: "203.0.113.10", staticRoutes: ["192.168.0.0/16"] });
    await a.send(new CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "172.16.0.0/12", GatewayId: vgw }));
    await a.send(new EnableVgwRoutePropagationCommand({ RouteTableId: rtb, GatewayId: vgw }));
    const [propagating] = await tables(a, [{ Name: "route.origin", Values: ["EnableVgwRoutePropagation"] }]);
    assert.equal(propagating!.RouteTableId, rtb);
    assert.deepEqual(propagating!.PropagatingVgws, [{ GatewayId: vgw }]);
    assert.deepEqual(propagating!.Routes!.at(-1), { DestinationCidrBlock: "192.168.0.0/16", GatewayId: vgw, Origin: "EnableVgwRoutePropagation", State: "active" });
    assert.deepEqual(await ids(a, [{ Name: "route.destination-cidr-block", Values: ["192.168.0.0/16"] }]), [rtb]);
    await a.send(new DisableVgwRoutePropagationCommand({ RouteTableId: rtb, GatewayId: vgw }));
    const [after] = await tables(a, [{ Name: "route-table-id", Values: [rtb] }]);
    assert.deepEqual(after!.PropagatingVgws, []);
    assert.equal(after!.Routes!.some((r) => r.Origin === "EnableVgwRoutePropagation"), false);
    assert.equal(after!.Routes!.some((r) => r.DestinationCidrBlock === "172.16.0.0/12" && r.GatewayId === vgw), true, "the static route to the VGW stays");
  } finally {
    await server.close();
  }
});

test("aws-cli reads and writes route tables in the shapes it expects", async () => {
  const server = await startTestServer();
  try {
    const vpcId = (await awsCli<{ Vpc: { VpcId: string } }>(server, "create-vpc", "--cidr-block", "10.0.0.0/16")).Vpc.VpcId;
    const rtb = (await awsCli<{ RouteTable: { RouteTableId: string } }>(server, "create-route-table", "--vpc-id", vpcId)).RouteTable.RouteTableId;
    const igw = (await awsCli<{ InternetGateway: { InternetGatewayId: string } }>(server, "create-internet-gateway")).InternetGateway.InternetGatewayId;
    await awsCli(server, "attach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpcId);
    assert.deepEqual(await awsCli(server, "create-route", "--route-table-id", rtb, "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", igw), { Return: true });
    const subnet = (await awsCli<{ Subnet: { SubnetId: string } }>(server, "create-subnet", "--vpc-id", vpcId, "--cidr-block", "10.0.1.0/24")).Subnet.SubnetId;
    const assoc = await awsCli<{ AssociationId: string; AssociationState: { State: string } }>(server, "associate-route-table", "--route-table-id", rtb, "--subnet-id", subnet);
    assert.equal(assoc.AssociationState.State, "associated");
    const out = await awsCli<DescribeRouteTablesResult>(server, "describe-route-tables", "--filters", `Name=association.subnet-id,Values=${subnet}`);
    assert.equal(out.RouteTables!.length, 1);
    const t = out.RouteTables![0]!;
    assert.equal(t.RouteTableId, rtb);
    assert.deepEqual(t.Associations, [{ Main: false, RouteTableAssociationId: assoc.AssociationId, RouteTableId: rtb, SubnetId: subnet, AssociationState: { State: "associated" } }]);
    assert.deepEqual(t.Routes, [
      { DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", Origin: "CreateRouteTable", State: "active" },
      { DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw, Origin: "CreateRoute", State: "active" },
    ]);
    assert.deepEqual(t.PropagatingVgws, []);
  } finally {
    await server.close();
  }
});
