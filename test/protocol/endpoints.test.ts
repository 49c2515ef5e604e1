// VPC endpoints and endpoint services through the real AWS SDK for JavaScript (and once through
// aws-cli) against a running server: seed lab 1 step 4 and lab 2 steps 3-4 through the API.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  AssociateRouteTableCommand, AttachInternetGatewayCommand, AuthorizeSecurityGroupIngressCommand, CreateInternetGatewayCommand,
  CreateRouteCommand, CreateRouteTableCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand,
  CreateVpcEndpointCommand, type CreateVpcEndpointCommandInput, DeleteVpcEndpointsCommand, DescribeNetworkInterfacesCommand,
  DescribePrefixListsCommand, DescribeRouteTablesCommand, DescribeVpcEndpointServicesCommand, DescribeVpcEndpointsCommand,
  type EC2Client, ModifyVpcAttributeCommand, ModifyVpcEndpointCommand, type VpcEndpoint,
} from "@aws-sdk/client-ec2";
import { DEFAULT_POLICY } from "../../src/control/endpoints.js";
import { REGION, type TestServer, ec2, refused, errorCode, startTestServer } from "../e2e/server.js";

const S3 = "com.amazonaws.ap-northeast-2.s3";
const CFN = "com.amazonaws.ap-northeast-2.cloudformation";


/**
 * aws-cli against the in-process server. Asynchronous on purpose: execFileSync would block this
 * process's event loop, and with it the server the CLI is waiting for.
 */
async function awsCli<T>(server: TestServer, ...args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)("aws", ["--endpoint-url", server.endpoint, "--output", "json", "ec2", ...args], {
    encoding: "utf8",
    env: { ...process.env, AWS_ACCESS_KEY_ID: "111111111111", AWS_SECRET_ACCESS_KEY: "x", AWS_DEFAULT_REGION: REGION, AWS_PAGER: "", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" },
  });
  return (stdout.trim() ? JSON.parse(stdout) : {}) as T;
}

/** Lab 1, step 1: a VPC with a public subnet (its own table, 0.0.0.0/0 -> IGW) and a private one (the main table). */
async function lab1(a: EC2Client): Promise<{ vpcId: string; pubRt: string; mainRt: string; pub: string; priv: string }> {
  const vpcId = (await a.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const pub = (await a.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.0.0/24", AvailabilityZone: "ap-northeast-2a" }))).Subnet!.SubnetId!;
  const priv = (await a.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24", AvailabilityZone: "ap-northeast-2c" }))).Subnet!.SubnetId!;
  const igw = (await a.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  await a.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  const pubRt = (await a.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
  await a.send(new CreateRouteCommand({ RouteTableId: pubRt, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }));
  await a.send(new AssociateRouteTableCommand({ RouteTableId: pubRt, SubnetId: pub }));
  const tables = (await a.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "association.main", Values: ["true"] }, { Name: "vpc-id", Values: [vpcId] }] }))).RouteTables!;
  return { vpcId, pubRt, mainRt: tables[0]!.RouteTableId!, pub, priv };
}

test("lab 1 step 4: a gateway endpoint on both route tables, then modify, describe, delete, accounts apart", async () => {
  const server = await startTestServer();
  try {
    const a = ec2(server);
    const { vpcId, pubRt, mainRt } = await lab1(a);
    const input: CreateVpcEndpointCommandInput = {
      VpcId: vpcId, ServiceName: S3, RouteTableIds: [pubRt, mainRt], ClientToken: "lab1-step4",
      TagSpecifications: [{ ResourceType: "vpc-endpoint", Tags: [{ Key: "Name", Value: "s3-gw" }] }],
    };
    const created = await a.send(new CreateVpcEndpointCommand(input));
    const ep = created.VpcEndpoint!;
    assert.match(ep.VpcEndpointId!, /^vpce-[0-9a-f]{17}$/);
    assert.equal(ep.VpcEndpointType, "Gateway", "Gateway is the default type");
    assert.equal(ep.State, "available", "a gateway endpoint is available in the create response");
    assert.equal(ep.VpcId, vpcId);
    assert.equal(ep.ServiceName, S3);
    assert.equal(ep.PolicyDocument, DEFAULT_POLICY.Gateway);
    assert.deepEqual(ep.RouteTableIds, [pubRt, mainRt]);
    assert.equal(ep.PrivateDnsEnabled, false);
    assert.equal(ep.RequesterManaged, false);
    assert.equal(ep.IpAddressType, "ipv4");
    assert.deepEqual(ep.DnsOptions, { DnsRecordIpType: "ipv4" });
    assert.equal(ep.OwnerId, "111111111111");
    assert.equal(ep.ServiceRegion, REGION);
    assert.ok(ep.CreationTimestamp instanceof Date);
    assert.deepEqual(ep.Tags, [{ Key: "Name", Value: "s3-gw" }]);
    assert.equal(created.ClientToken, "lab1-step4");

    // Each route table gains pl-... -> vpce-..., the Region's S3 prefix list.
    const pl = (await a.send(new DescribePrefixListsCommand({ Filters: [{ Name: "prefix-list-name", Values: [S3] }] }))).PrefixLists![0]!.PrefixListId!;
    for (const rt of [pubRt, mainRt]) {
      const routes = (await a.send(new DescribeRouteTablesCommand({ RouteTableIds: [rt] }))).RouteTables![0]!.Routes!;
      assert.deepEqual(routes.filter((r) => r.DestinationPrefixListId), [{ DestinationPrefixListId: pl, GatewayId: ep.VpcEndpointId, Origin: "CreateRoute", State: "active" }]);
    }

    // ClientToken: the same call answers the same endpoint; a different call with the token is refused.
    assert.equal((await a.send(new CreateVpcEndpointCommand(input))).VpcEndpoint!.VpcEndpointId, ep.VpcEndpointId);
    await refused(server, () => a.send(new CreateVpcEndpointCommand({ ...input, RouteTableIds: [pubRt] })), "IdempotentParameterMismatch");
    await refused(server, () => a.send(new CreateVpcEndpointCommand({ VpcId: vpcId, ServiceName: S3, RouteTableIds: [pubRt] })), "RouteAlreadyExists",
      `route table ${pubRt} already has a route with destination-prefix-list-id ${pl}`);
    await refused(server, () => a.send(new CreateVpcEndpointCommand({ VpcId: vpcId, ServiceName: S3, DryRun: true })), "DryRunOperation");

    // Modify: routes follow the route tables; policies are validated, reset, combined as AWS allows.
    const id = ep.VpcEndpointId!;
    assert.equal((await a.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, RemoveRouteTableIds: [mainRt] }))).Return, true);
    const mainRoutes = (await a.send(new DescribeRouteTablesCommand({ RouteTableIds: [mainRt] }))).RouteTables![0]!.Routes!;
    assert.ok(!mainRoutes.some((r) => r.GatewayId === id), "the route left with the route table");
    const policy = '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}';
    await a.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, AddRouteTableIds: [mainRt], PolicyDocument: policy }));
    let got = (await a.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }))).VpcEndpoints![0]!;
    assert.deepEqual(got.RouteTableIds, [pubRt, mainRt]);
    assert.equal(got.PolicyDocument, policy);
    await refused(server, () => a.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, PolicyDocument: "{not json" })), "InvalidPolicyDocument");
    await refused(server, () => a.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, PolicyDocument: policy, ResetPolicy: true })), "InvalidParameterCombination");
    await refused(server, () => a.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, AddSubnetIds: ["subnet-0123456789abcdef0"] })), "InvalidParameter",
      "Subnet IDs are only supported for Interface and GatewayLoadBalancer type VPC Endpoints.");
    await refused(server, () => a.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, AddRouteTableIds: ["rtb-0123456789abcdef0"] })), "InvalidRouteTableID.NotFound");
    await refused(server, () => a.send(new ModifyVpcEndpointCommand({ VpcEndpointId: "vpce-0123456789abcdef0", ResetPolicy: true })), "InvalidVpcEndpointId.NotFound",
      "The Vpc Endpoint Id 'vpce-0123456789abcdef0' does not exist");
    await refused(server, () => a.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, IpAddressType: "dualstack" })), "InvalidParameterValue");
    await a.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, ResetPolicy: true }));
    got = (await a.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }))).VpcEndpoints![0]!;
    assert.equal(got.PolicyDocument, DEFAULT_POLICY.Gateway);

    // A second gateway endpoint (no route tables) and the documented filters.
    const dynamo = (await a.send(new CreateVpcEndpointCommand({ VpcId: vpcId, ServiceName: "com.amazonaws.ap-northeast-2.dynamodb" }))).VpcEndpoint!.VpcEndpointId!;
    const by = async (name: string, value: string): Promise<string[]> =>
      (await a.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: name, Values: [value] }] }))).VpcEndpoints!.map((e) => e.VpcEndpointId!);
    assert.deepEqual(await by("service-name", S3), [id]);
    assert.deepEqual(await by("vpc-endpoint-id", dynamo), [dynamo]);
    assert.deepEqual(await by("vpc-id", vpcId), [id, dynamo]);
    assert.deepEqual(await by("vpc-endpoint-type", "Gateway"), [id, dynamo]);
    assert.deepEqual(await by("vpc-endpoint-type", "Interface"), []);
    assert.deepEqual(await by("vpc-endpoint-state", "available"), [id, dynamo]);
    assert.deepEqual(await by("ip-address-type", "ipv4"), [id, dynamo]);
    assert.deepEqual(await by("service-region", REGION), [id, dynamo]);
    assert.deepEqual(await by("tag:Name", "s3-*"), [id]);
    assert.equal(await errorCode(a.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "no-such-filter", Values: ["x"] }] }))), "InvalidParameterValue");
    // MaxResults over 1,000 is served as 1,000, not refused.
    assert.equal((await a.send(new DescribeVpcEndpointsCommand({ MaxResults: 5000 }))).VpcEndpoints!.length, 2);
    const page1 = await a.send(new DescribeVpcEndpointsCommand({ MaxResults: 1 }));
    assert.deepEqual(page1.VpcEndpoints!.map((e) => e.VpcEndpointId), [id]);
    const page2 = await a.send(new DescribeVpcEndpointsCommand({ MaxResults: 1, NextToken: page1.NextToken! }));
    assert.deepEqual(page2.VpcEndpoints!.map((e) => e.VpcEndpointId), [dynamo]);
    assert.equal(await errorCode(a.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: ["vpce-0123456789abcdef0"] }))), "InvalidVpcEndpointId.NotFound");
    assert.equal(await errorCode(a.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: ["vpce-nope"] }))), "InvalidVpcEndpointId.Malformed");

    // Another account sees none of it and cannot delete it.
    const other = ec2(server, "222222222222");
    assert.deepEqual((await other.send(new DescribeVpcEndpointsCommand({}))).VpcEndpoints, []);
    assert.equal(await errorCode(other.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }))), "InvalidVpcEndpointId.NotFound");
    const foreign = await other.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [id] }));
    assert.deepEqual(foreign.Unsuccessful!.map((u) => u.Error!.Code), ["InvalidVpcEndpoint.NotFound"]);
    assert.equal((await a.send(new DescribeVpcEndpointsCommand({}))).VpcEndpoints!.length, 2);

    // Delete: per-id failures in `unsuccessful`, the routes go with the endpoint.
    const deleted = await a.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [id, "vpce-0123456789abcdef0", "vpce-x"] }));
    assert.deepEqual(deleted.Unsuccessful!.map((u) => [u.ResourceId, u.Error!.Code]), [
      ["vpce-0123456789abcdef0", "InvalidVpcEndpoint.NotFound"], ["vpce-x", "InvalidVpcEndpointId.Malformed"],
    ]);
    assert.equal(deleted.Unsuccessful![0]!.Error!.Message, "The Vpc Endpoint Id 'vpce-0123456789abcdef0' does not exist");
    const left = (await a.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }))).RouteTables!;
    assert.ok(left.every((t) => !t.Routes!.some((r) => r.DestinationPrefixListId)), "no prefix-list route survives the endpoint");
    assert.deepEqual((await a.send(new DescribeVpcEndpointsCommand({}))).VpcEndpoints!.map((e) => e.VpcEndpointId), [dynamo]);
  } finally {
    await server.close();
  }
});

test("lab 2 steps 3-4: an interface endpoint with private DNS, one ENI per subnet, regional, zonal and private names", async () => {
  const server = await startTestServer();
  try {
    const a = ec2(server);
    const { vpcId, pub, priv } = await lab1(a);
    const sg = (await a.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "endpoint", Description: "443 from the VPC" }))).GroupId!;
    await a.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: sg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "10.0.0.0/16" }] }] }));
    const iface: CreateVpcEndpointCommandInput = { VpcId: vpcId, VpcEndpointType: "Interface", ServiceName: CFN, SubnetIds: [pub, priv], SecurityGroupIds: [sg] };

    // PrivateDnsEnabled defaults to true through the API, so without the VPC's DNS attributes
    // (lab 2 step 1) the call is refused as AWS refuses it.
    await refused(server, () => a.send(new CreateVpcEndpointCommand(iface)), "InvalidParameter",
      `Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for ${vpcId}`);
    await a.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));

    const created = (await a.send(new CreateVpcEndpointCommand(iface))).VpcEndpoint!;
    const id = created.VpcEndpointId!;
    assert.equal(created.VpcEndpointType, "Interface");
    assert.equal(created.State, "pending", "AWS's create response shows an interface endpoint pending");
    assert.equal(created.PrivateDnsEnabled, true);
    assert.equal(created.RequesterManaged, false);
    assert.equal(created.PolicyDocument, DEFAULT_POLICY.Interface);
    assert.deepEqual(created.RouteTableIds ?? [], []);
    assert.deepEqual(created.SubnetIds, [pub, priv]);
    assert.deepEqual(created.Groups, [{ GroupId: sg, GroupName: "endpoint" }]);
    assert.equal(created.NetworkInterfaceIds!.length, 2, "one ENI per subnet");
    const names = created.DnsEntries!.map((d) => d.DnsName!);
    const regional = new RegExp(`^${id}-[a-z0-9]{8}\\.cloudformation\\.ap-northeast-2\\.vpce\\.amazonaws\\.com$`);
    assert.match(names[0]!, regional);
    const suffix = names[0]!.slice(id.length + 1, id.length + 9);
    assert.deepEqual(names.slice(1), [
      `${id}-${suffix}-ap-northeast-2a.cloudformation.ap-northeast-2.vpce.amazonaws.com`,
      `${id}-${suffix}-ap-northeast-2c.cloudformation.ap-northeast-2.vpce.amazonaws.com`,
      "cloudformation.ap-northeast-2.amazonaws.com",
    ]);
    assert.ok(created.DnsEntries!.slice(0, 3).every((d) => d.HostedZoneId === "Z27UANNT0PRK1T"), "the Region's vpce.amazonaws.com zone");
    assert.notEqual(created.DnsEntries![3]!.HostedZoneId, "Z27UANNT0PRK1T", "the private name lives in the hidden private hosted zone");

    const described = (await a.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }))).VpcEndpoints![0]!;
    assert.equal(described.State, "available");
    const enis = (await a.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: created.NetworkInterfaceIds }))).NetworkInterfaces!;
    assert.deepEqual(enis.map((e) => e.SubnetId).sort(), [pub, priv].sort());
    for (const eni of enis) {
      assert.equal(eni.InterfaceType, "vpc_endpoint");
      assert.equal(eni.RequesterManaged, true);
      assert.equal(eni.Description, `VPC Endpoint Interface ${id}`);
      assert.deepEqual(eni.Groups!.map((g) => g.GroupId), [sg]);
    }

    // Explicitly off, private DNS is off; a second private-DNS endpoint for the service conflicts.
    await refused(server, () => a.send(new CreateVpcEndpointCommand({ ...iface, SubnetIds: [pub] })), "InvalidParameter",
      `private-dns-enabled cannot be set because there is already a conflicting DNS domain for cloudformation.ap-northeast-2.amazonaws.com in the VPC ${vpcId}`);
    const plain = (await a.send(new CreateVpcEndpointCommand({ ...iface, SubnetIds: [pub], PrivateDnsEnabled: false }))).VpcEndpoint!;
    assert.equal(plain.PrivateDnsEnabled, false);
    assert.equal(plain.DnsEntries!.length, 2, "regional and one zonal name, no private name");

    // Modify: subnets bring and take ENIs and zonal names; private DNS off drops the private name.
    await a.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, RemoveSubnetIds: [pub], PrivateDnsEnabled: false }));
    let after: VpcEndpoint = (await a.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }))).VpcEndpoints![0]!;
    assert.deepEqual(after.SubnetIds, [priv]);
    assert.equal(after.NetworkInterfaceIds!.length, 1);
    assert.deepEqual(after.DnsEntries!.map((d) => d.DnsName!.replace(`${id}-${suffix}`, "X")), ["X.cloudformation.ap-northeast-2.vpce.amazonaws.com", "X-ap-northeast-2c.cloudformation.ap-northeast-2.vpce.amazonaws.com"]);
    await refused(server, () => a.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, RemoveSecurityGroupIds: [sg] })), "InvalidParameter");
    await refused(server, () => a.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, AddRouteTableIds: ["rtb-0123456789abcdef0"] })), "InvalidParameter",
      "Route table IDs are only supported for Gateway type VPC Endpoint.");
    await refused(server, () => a.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, AddSubnetIds: [pub], DnsOptions: { DnsRecordIpType: "dualstack" } })), "InvalidParameter");
    await a.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, AddSubnetIds: [pub] }));
    after = (await a.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }))).VpcEndpoints![0]!;
    assert.equal(after.NetworkInterfaceIds!.length, 2);

    // Deleting takes the ENIs with it.
    const eniIds = after.NetworkInterfaceIds!;
    assert.deepEqual((await a.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [id] }))).Unsuccessful ?? [], []);
    assert.equal(await errorCode(a.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: eniIds }))), "InvalidNetworkInterfaceID.NotFound");
  } finally {
    await server.close();
  }
});

test("CreateVpcEndpoint answers each validation error with AWS's code and changes nothing", async () => {
  const server = await startTestServer();
  try {
    const a = ec2(server);
    const { vpcId, pub, priv, pubRt } = await lab1(a);
    await a.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
    const pub2 = (await a.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.2.0/24", AvailabilityZone: "ap-northeast-2a" }))).Subnet!.SubnetId!;
    const iface = { VpcId: vpcId, VpcEndpointType: "Interface" as const, ServiceName: CFN };
    const create = (input: CreateVpcEndpointCommandInput) => () => a.send(new CreateVpcEndpointCommand(input));

    await refused(server, create({ VpcId: "vpc-0123456789abcdef0", ServiceName: S3 }), "InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist");
    await refused(server, create({ VpcId: "vpc-bad", ServiceName: S3 }), "InvalidVpcID.Malformed");
    await refused(server, create({ VpcId: vpcId, ServiceName: "com.amazonaws.eu-north-1.elasticloadbalancing" }), "InvalidServiceName",
      "The Vpc Endpoint Service 'com.amazonaws.eu-north-1.elasticloadbalancing' does not exist");
    await refused(server, create({ VpcId: vpcId, ServiceName: "com.amazonaws.us-east-1.s3" }), "InvalidServiceName", "The Vpc Endpoint Service 'com.amazonaws.us-east-1.s3' does not exist");
    await refused(server, create({ VpcId: vpcId }), "MissingParameter");
    await refused(server, create({ ...iface, SubnetIds: [pub], RouteTableIds: [pubRt] }), "InvalidParameter", "Route table IDs are only supported for Gateway type VPC Endpoint.");
    await refused(server, create({ ...iface, SubnetIds: [pub, pub2] }), "DuplicateSubnetsInSameZone", `Found another VPC endpoint subnet in the availability zone of ${pub2}`);
    await refused(server, create({ ...iface, SubnetIds: ["subnet-0123456789abcdef0"] }), "InvalidSubnetID.NotFound");
    await refused(server, create({ ...iface, SubnetIds: ["subnet-x"] }), "InvalidSubnetID.Malformed");
    await refused(server, create({ ...iface, SubnetIds: [priv], SecurityGroupIds: ["sg-0123456789abcdef0"] }), "InvalidGroup.NotFound");
    await refused(server, create({ VpcId: vpcId, ServiceName: S3, RouteTableIds: ["rtb-0123456789abcdef0"] }), "InvalidRouteTableID.NotFound");
    await refused(server, create({ VpcId: vpcId, ServiceName: S3, RouteTableIds: ["rtb-x"] }), "InvalidRouteTableId.Malformed");
    await refused(server, create({ VpcId: vpcId, ServiceName: S3, PolicyDocument: "{not json" }), "InvalidPolicyDocument");
    await refused(server, create({ VpcId: vpcId, ServiceName: S3, PolicyDocument: `{"Statement":[],"x":"${"a".repeat(20480)}"}` }), "InvalidPolicyDocument");
    await refused(server, create({ VpcId: vpcId, ServiceName: S3, VpcEndpointType: "Bogus" as "Gateway" }), "InvalidVpcEndpointType");
    await refused(server, create({ VpcId: vpcId, ServiceName: CFN, VpcEndpointType: "Gateway" }), "InvalidParameter");
    await refused(server, create({ VpcId: vpcId, ServiceName: "com.amazonaws.vpce.ap-northeast-2.vpce-svc-0123456789abcdef0", VpcEndpointType: "GatewayLoadBalancer", SubnetIds: [pub] }), "InvalidServiceName",
      "The Vpc Endpoint Service 'com.amazonaws.vpce.ap-northeast-2.vpce-svc-0123456789abcdef0' does not exist");
    await refused(server, create({ VpcId: vpcId, VpcEndpointType: "Resource", ResourceConfigurationArn: "arn:aws:vpc-lattice:ap-northeast-2:111111111111:resourceconfiguration/rcfg-0123456789abcdef0" }), "InvalidParameterValue", /Resource and ServiceNetwork/);
    await refused(server, create({ ...iface, SubnetIds: [priv], IpAddressType: "dualstack" }), "InvalidParameterValue");
    await refused(server, create({ ...iface, SubnetIds: [priv], IpAddressType: "ipv5" as "ipv4" }), "InvalidParameterValue");
    await refused(server, create({ ...iface, SubnetIds: [priv], DnsOptions: { DnsRecordIpType: "ipv6" } }), "InvalidParameter", "DnsRecordIpType ipv6 requires IpAddressType ipv6 or dualstack.");
    await refused(server, create({ ...iface, SubnetIds: [priv], TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "a", Value: "b" }] }] }), "InvalidParameterValue");
    await refused(server, create({ VpcId: vpcId, ServiceName: S3, SubnetIds: [priv] }), "InvalidParameter", "Subnet IDs are only supported for Interface and GatewayLoadBalancer type VPC Endpoints.");
    await refused(server, create({ VpcId: vpcId, ServiceName: S3, PrivateDnsEnabled: true }), "InvalidParameter");

    // The explicit ipv4 options are accepted and shown.
    const ok = (await a.send(new CreateVpcEndpointCommand({ ...iface, SubnetIds: [priv], IpAddressType: "ipv4", DnsOptions: { DnsRecordIpType: "ipv4" }, ServiceRegion: REGION }))).VpcEndpoint!;
    assert.equal(ok.IpAddressType, "ipv4");
    assert.equal(ok.ServiceRegion, REGION);

    // Quota: 20 gateway endpoints per Region per account.
    const b = ec2(server, "333333333333");
    const vpcB = (await b.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }))).Vpc!.VpcId!;
    for (let n = 0; n < 20; n++) await b.send(new CreateVpcEndpointCommand({ VpcId: vpcB, ServiceName: S3 }));
    await refused(server, () => b.send(new CreateVpcEndpointCommand({ VpcId: vpcB, ServiceName: S3 })), "VpcEndpointLimitExceeded");
  } finally {
    await server.close();
  }
});

test("DescribeVpcEndpointServices: the Region's AWS services, stable ids, filters, pages", async () => {
  const server = await startTestServer();
  try {
    const a = ec2(server);
    const all = await a.send(new DescribeVpcEndpointServicesCommand({}));
    assert.ok(all.ServiceNames!.includes(S3) && all.ServiceNames!.includes(CFN));
    assert.deepEqual(all.ServiceNames, [...new Set(all.ServiceNames)].sort(), "each name once, sorted");
    const s3 = all.ServiceDetails!.filter((d) => d.ServiceName === S3);
    assert.deepEqual(s3.map((d) => d.ServiceType![0]!.ServiceType), ["Gateway", "Interface"], "S3 appears once per type");
    assert.deepEqual(s3[0]!.BaseEndpointDnsNames, ["s3.ap-northeast-2.amazonaws.com"]);
    assert.deepEqual(s3[1]!.BaseEndpointDnsNames, ["s3.ap-northeast-2.vpce.amazonaws.com"]);
    const cfn = all.ServiceDetails!.find((d) => d.ServiceName === CFN)!;
    assert.match(cfn.ServiceId!, /^vpce-svc-[0-9a-f]{17}$/);
    assert.equal(cfn.Owner, "amazon");
    assert.equal(cfn.ServiceRegion, REGION);
    assert.deepEqual(cfn.AvailabilityZones, ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c", "ap-northeast-2d"]);
    assert.deepEqual(cfn.AvailabilityZoneIds, ["apne2-az1", "apne2-az2", "apne2-az3", "apne2-az4"]);
    assert.deepEqual(cfn.BaseEndpointDnsNames, ["cloudformation.ap-northeast-2.vpce.amazonaws.com"]);
    assert.equal(cfn.PrivateDnsName, "cloudformation.ap-northeast-2.amazonaws.com");
    assert.deepEqual(cfn.PrivateDnsNames, [{ PrivateDnsName: "cloudformation.ap-northeast-2.amazonaws.com" }]);
    assert.equal(cfn.PrivateDnsNameVerificationState, "verified");
    assert.equal(cfn.VpcEndpointPolicySupported, true);
    assert.equal(cfn.AcceptanceRequired, false);
    assert.equal(cfn.ManagesVpcEndpoints, false);
    assert.deepEqual(cfn.SupportedIpAddressTypes, ["ipv4"]);
    const again = await a.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: [CFN] }));
    assert.deepEqual(again.ServiceNames, [CFN]);
    assert.equal(again.ServiceDetails![0]!.ServiceId, cfn.ServiceId, "ids are stable");
    const east = await ec2(server, "111111111111", "us-east-1").send(new DescribeVpcEndpointServicesCommand({ ServiceNames: ["com.amazonaws.us-east-1.cloudformation"] }));
    assert.notEqual(east.ServiceDetails![0]!.ServiceId, cfn.ServiceId, "ids differ per Region");

    const names = async (name: string, value: string): Promise<string[]> =>
      (await a.send(new DescribeVpcEndpointServicesCommand({ Filters: [{ Name: name, Values: [value] }] }))).ServiceNames!;
    assert.deepEqual(await names("service-type", "Gateway"), ["com.amazonaws.ap-northeast-2.dynamodb", S3]);
    assert.deepEqual(await names("service-name", "*.cloudformation"), [CFN]);
    assert.equal((await names("owner", "amazon")).length, all.ServiceNames.length);
    assert.equal((await names("service-region", REGION)).length, all.ServiceNames.length);
    assert.deepEqual(await names("service-region", "us-east-1"), []);
    assert.equal(await errorCode(a.send(new DescribeVpcEndpointServicesCommand({ Filters: [{ Name: "nope", Values: ["x"] }] }))), "InvalidParameterValue");
    assert.equal(await errorCode(a.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: [CFN, "com.amazonaws.ap-northeast-2.nosuch"] }))), "InvalidServiceName");

    // Pages cover every detail once; MaxResults above 1,000 is served as 1,000.
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await a.send(new DescribeVpcEndpointServicesCommand({ MaxResults: 7, ...(token ? { NextToken: token } : {}) }));
      assert.ok(page.ServiceDetails!.length <= 7);
      seen.push(...page.ServiceDetails!.map((d) => `${d.ServiceName} ${d.ServiceType![0]!.ServiceType}`));
      token = page.NextToken;
    } while (token);
    assert.deepEqual(seen, all.ServiceDetails!.map((d) => `${d.ServiceName} ${d.ServiceType![0]!.ServiceType}`));
    assert.equal((await a.send(new DescribeVpcEndpointServicesCommand({ MaxResults: 5000 }))).ServiceDetails!.length, all.ServiceDetails!.length);
  } finally {
    await server.close();
  }
});

test("aws-cli: create, describe and delete an endpoint, and list the services", async () => {
  const server = await startTestServer();
  try {
    const { vpcId, pubRt } = await lab1(ec2(server));
    const created = await awsCli<{ VpcEndpoint: VpcEndpoint; ClientToken: string }>(server, "create-vpc-endpoint", "--vpc-id", vpcId, "--service-name", S3,
      "--route-table-ids", pubRt, "--client-token", "cli-1", "--tag-specifications", "ResourceType=vpc-endpoint,Tags=[{Key=Name,Value=cli}]");
    assert.equal(created.ClientToken, "cli-1");
    assert.equal(created.VpcEndpoint.VpcEndpointType, "Gateway");
    assert.deepEqual(created.VpcEndpoint.RouteTableIds, [pubRt]);
    assert.deepEqual(created.VpcEndpoint.Tags, [{ Key: "Name", Value: "cli" }]);
    assert.match(String(created.VpcEndpoint.CreationTimestamp), /^\d{4}-\d\d-\d\dT/);
    const described = await awsCli<{ VpcEndpoints: VpcEndpoint[] }>(server, "describe-vpc-endpoints", "--filters", "Name=vpc-endpoint-type,Values=Gateway");
    assert.deepEqual(described.VpcEndpoints.map((e) => e.VpcEndpointId), [created.VpcEndpoint.VpcEndpointId]);
    assert.equal(described.VpcEndpoints[0]!.PolicyDocument, DEFAULT_POLICY.Gateway);
    const services = await awsCli<{ ServiceNames: string[] }>(server, "describe-vpc-endpoint-services", "--filters", "Name=service-type,Values=Gateway");
    assert.deepEqual(services.ServiceNames, ["com.amazonaws.ap-northeast-2.dynamodb", S3]);
    const deleted = await awsCli<{ Unsuccessful: unknown[] }>(server, "delete-vpc-endpoints", "--vpc-endpoint-ids", created.VpcEndpoint.VpcEndpointId!, "vpce-0123456789abcdef0");
    assert.equal(deleted.Unsuccessful.length, 1);
  } finally {
    await server.close();
  }
});
