// Internet gateways, Elastic IPs, NAT gateways and virtual private gateways through the real AWS
// SDK for JavaScript (and once through aws-cli) against a running server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  AllocateAddressCommand, AttachInternetGatewayCommand, AttachVpnGatewayCommand, CreateInternetGatewayCommand, CreateNatGatewayCommand,
  CreateSubnetCommand, CreateVpcCommand, CreateVpnGatewayCommand, DeleteInternetGatewayCommand, DeleteNatGatewayCommand,
  DescribeAddressesCommand, DescribeInternetGatewaysCommand, DescribeNatGatewaysCommand, DescribeVpnGatewaysCommand,
  DetachInternetGatewayCommand, type DescribeAddressesResult, type DescribeNatGatewaysResult, type EC2Client, type GatewayType,
  ReleaseAddressCommand,
} from "@aws-sdk/client-ec2";
import { REGION, type TestServer, ec2, errorCode, startTestServer } from "../e2e/server.js";

/** Asserts the call fails with `code` and that `look` sees the same before and after. */
async function unchanged(look: () => Promise<unknown>, call: () => Promise<unknown>, code: string): Promise<void> {
  const before = await look();
  assert.equal(await errorCode(call()), code);
  assert.deepEqual(await look(), before);
}

/** aws-cli as a child process: asynchronous, because the server answering it runs in this process. */
async function awsCli<T>(server: TestServer, ...args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)("aws", ["--endpoint-url", server.endpoint, "--output", "json", "ec2", ...args], {
    encoding: "utf8",
    env: { ...process.env, AWS_ACCESS_KEY_ID: "111111111111", AWS_SECRET_ACCESS_KEY: "x", AWS_DEFAULT_REGION: REGION, AWS_PAGER: "", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" },
  });
  return (stdout.trim() ? JSON.parse(stdout) : {}) as T;
}

async function vpcWithSubnet(c: EC2Client, cidr = "10.0.0.0/16", subnetCidr = "10.0.1.0/24"): Promise<{ vpcId: string; subnetId: string }> {
  const vpcId = (await c.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;
  const subnetId = (await c.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: subnetCidr, AvailabilityZone: "ap-northeast-2a" }))).Subnet!.SubnetId!;
  return { vpcId, subnetId };
}

test("internet gateways: create, attach once, filters, detach and delete in order, accounts apart", async () => {
  const server = await startTestServer();
  try {
    const a = ec2(server);
    const { vpcId } = await vpcWithSubnet(a);
    const vpc2 = (await a.send(new CreateVpcCommand({ CidrBlock: "10.1.0.0/16" }))).Vpc!.VpcId!;
    const { InternetGateway } = await a.send(new CreateInternetGatewayCommand({ TagSpecifications: [{ ResourceType: "internet-gateway", Tags: [{ Key: "Name", Value: "edge" }] }] }));
    const igw = InternetGateway!.InternetGatewayId!;
    assert.match(igw, /^igw-[0-9a-f]{17}$/);
    assert.deepEqual(InternetGateway!.Attachments, []);
    assert.equal(InternetGateway!.OwnerId, "111111111111");
    assert.deepEqual(InternetGateway!.Tags, [{ Key: "Name", Value: "edge" }]);
    assert.equal(await errorCode(a.send(new CreateInternetGatewayCommand({ TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "a", Value: "b" }] }] }))), "InvalidParameterValue");

    const look = async (): Promise<unknown> => (await a.send(new DescribeInternetGatewaysCommand({}))).InternetGateways;
    await a.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
    await unchanged(look, () => a.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc2 })), "Resource.AlreadyAssociated");
    const igw2 = (await a.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    await unchanged(look, () => a.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw2, VpcId: vpcId })), "InvalidParameterValue");
    await unchanged(look, () => a.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw2, VpcId: "vpc-0123456789abcdef0" })), "InvalidVpcID.NotFound");

    const described = await a.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [igw] }));
    assert.deepEqual(described.InternetGateways![0]!.Attachments, [{ VpcId: vpcId, State: "available" }]);
    const byFilter = async (Name: string, value: string): Promise<string[]> =>
      (await a.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name, Values: [value] }] }))).InternetGateways!.map((g) => g.InternetGatewayId!);
    assert.deepEqual(await byFilter("attachment.vpc-id", vpcId), [igw]);
    assert.deepEqual(await byFilter("attachment.state", "available"), [igw]);
    assert.deepEqual(await byFilter("internet-gateway-id", igw2), [igw2]);
    assert.deepEqual(await byFilter("owner-id", "111111111111"), [igw, igw2]);
    assert.deepEqual(await byFilter("tag:Name", "edge"), [igw]);
    assert.equal(await errorCode(a.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: ["igw-nope"] }))), "InvalidInternetGatewayId.Malformed");
    assert.equal(await errorCode(a.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: ["igw-0123456789abcdef0"] }))), "InvalidInternetGatewayID.NotFound");

    await unchanged(look, () => a.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw })), "DependencyViolation");
    await unchanged(look, () => a.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc2 })), "Gateway.NotAttached");
    await a.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
    await a.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw }));
    assert.deepEqual(await byFilter("owner-id", "111111111111"), [igw2]);

    const b = ec2(server, "222222222222");
    assert.deepEqual((await b.send(new DescribeInternetGatewaysCommand({}))).InternetGateways, []);
    assert.equal(await errorCode(b.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw2, VpcId: vpcId }))), "InvalidInternetGatewayID.NotFound");
  } finally {
    await server.close();
  }
});

test("Elastic IPs and NAT gateways: allocate, put on a NAT gateway, describe by every key, release only when free", async () => {
  const server = await startTestServer();
  try {
    const a = ec2(server);
    const { vpcId, subnetId } = await vpcWithSubnet(a);
    const igw = (await a.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    await a.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));

    const eip = await a.send(new AllocateAddressCommand({ Domain: "vpc", TagSpecifications: [{ ResourceType: "elastic-ip", Tags: [{ Key: "Name", Value: "nat-ip" }] }] }));
    assert.match(eip.AllocationId!, /^eipalloc-[0-9a-f]{17}$/);
    assert.match(eip.PublicIp!, /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(eip.Domain, "vpc");
    assert.equal(eip.NetworkBorderGroup, REGION);
    const addresses = async (): Promise<DescribeAddressesResult["Addresses"]> => (await a.send(new DescribeAddressesCommand({}))).Addresses;
    await unchanged(addresses, () => a.send(new AllocateAddressCommand({ Domain: "standard" })), "InvalidParameterValue");
    await unchanged(addresses, () => a.send(new AllocateAddressCommand({ Address: "198.51.100.7" })), "InvalidParameterValue");

    const { NatGateway } = await a.send(new CreateNatGatewayCommand({
      SubnetId: subnetId, AllocationId: eip.AllocationId!, ClientToken: "nat-1", TagSpecifications: [{ ResourceType: "natgateway", Tags: [{ Key: "Name", Value: "nat" }] }],
    }));
    const nat = NatGateway!.NatGatewayId!;
    assert.match(nat, /^nat-[0-9a-f]{17}$/);
    assert.equal(NatGateway!.State, "available");
    assert.equal(NatGateway!.ConnectivityType, "public");
    assert.equal(NatGateway!.VpcId, vpcId);
    assert.equal(NatGateway!.SubnetId, subnetId);
    assert.deepEqual(NatGateway!.Tags, [{ Key: "Name", Value: "nat" }]);
    const natAddress = NatGateway!.NatGatewayAddresses![0]!;
    assert.equal(natAddress.AllocationId, eip.AllocationId);
    assert.equal(natAddress.PublicIp, eip.PublicIp);
    assert.match(natAddress.NetworkInterfaceId!, /^eni-/);
    assert.match(natAddress.PrivateIp!, /^10\.0\.1\.\d+$/);
    assert.match(natAddress.AssociationId!, /^eipassoc-/);
    assert.equal(natAddress.IsPrimary, true);
    const again = await a.send(new CreateNatGatewayCommand({
      SubnetId: subnetId, AllocationId: eip.AllocationId!, ClientToken: "nat-1", TagSpecifications: [{ ResourceType: "natgateway", Tags: [{ Key: "Name", Value: "nat" }] }],
    }));
    assert.equal(again.NatGateway!.NatGatewayId, nat, "the same ClientToken answers the first NAT gateway");

    // The address now shows where it is in use, and every lookup key finds it.
    const [used] = (await a.send(new DescribeAddressesCommand({ AllocationIds: [eip.AllocationId!] }))).Addresses!;
    assert.equal(used!.PublicIp, eip.PublicIp);
    assert.equal(used!.Domain, "vpc");
    assert.equal(used!.AssociationId, natAddress.AssociationId);
    assert.equal(used!.NetworkInterfaceId, natAddress.NetworkInterfaceId);
    assert.equal(used!.NetworkInterfaceOwnerId, "111111111111");
    assert.equal(used!.PrivateIpAddress, natAddress.PrivateIp);
    assert.deepEqual(used!.Tags, [{ Key: "Name", Value: "nat-ip" }]);
    const byAddress = async (filter: string, value: string): Promise<string[]> =>
      (await a.send(new DescribeAddressesCommand({ Filters: [{ Name: filter, Values: [value] }] }))).Addresses!.map((x) => x.AllocationId!);
    for (const [name, value] of [["allocation-id", eip.AllocationId!], ["public-ip", eip.PublicIp!], ["domain", "vpc"], ["association-id", natAddress.AssociationId!], ["network-interface-id", natAddress.NetworkInterfaceId!], ["private-ip-address", natAddress.PrivateIp!]] as const) {
      assert.deepEqual(await byAddress(name, value), [eip.AllocationId], name);
    }
    assert.deepEqual((await a.send(new DescribeAddressesCommand({ PublicIps: [eip.PublicIp!] }))).Addresses!.map((x) => x.AllocationId), [eip.AllocationId]);
    assert.equal(await errorCode(a.send(new DescribeAddressesCommand({ PublicIps: ["198.51.100.7"] }))), "InvalidAddress.NotFound");
    assert.equal(await errorCode(a.send(new DescribeAddressesCommand({ AllocationIds: ["eipalloc-0123456789abcdef0"] }))), "InvalidAllocationID.NotFound");

    // All or nothing: an address in use, a missing address, a NAT gateway's mapped public IP.
    const nats = async (): Promise<DescribeNatGatewaysResult["NatGateways"]> => (await a.send(new DescribeNatGatewaysCommand({}))).NatGateways;
    await unchanged(addresses, () => a.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId! })), "InvalidIPAddress.InUse");
    await unchanged(addresses, () => a.send(new ReleaseAddressCommand({ PublicIp: eip.PublicIp! })), "InvalidParameterValue");
    await unchanged(nats, () => a.send(new CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId: eip.AllocationId! })), "Resource.AlreadyAssociated");
    await unchanged(nats, () => a.send(new CreateNatGatewayCommand({ SubnetId: subnetId })), "MissingParameter");
    await unchanged(nats, () => a.send(new CreateNatGatewayCommand({ SubnetId: subnetId, ConnectivityType: "private", AvailabilityMode: "regional" })), "InvalidParameterValue");
    await unchanged(nats, () => a.send(new CreateNatGatewayCommand({ SubnetId: "subnet-0123456789abcdef0", ConnectivityType: "private" })), "InvalidSubnetID.NotFound");
    await unchanged(async () => (await a.send(new DescribeInternetGatewaysCommand({}))).InternetGateways,
      () => a.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId })), "DependencyViolation");

    // A private NAT gateway at a chosen address.
    const priv = (await a.send(new CreateNatGatewayCommand({ SubnetId: subnetId, ConnectivityType: "private", PrivateIpAddress: "10.0.1.50" }))).NatGateway!;
    assert.equal(priv.ConnectivityType, "private");
    assert.equal(priv.NatGatewayAddresses![0]!.PrivateIp, "10.0.1.50");
    assert.equal(priv.NatGatewayAddresses![0]!.PublicIp, undefined);
    await unchanged(nats, () => a.send(new CreateNatGatewayCommand({ SubnetId: subnetId, ConnectivityType: "private", PrivateIpAddress: "10.0.1.50" })), "InvalidIPAddress.InUse");

    const natIds = async (Name: string, value: string): Promise<string[]> =>
      (await a.send(new DescribeNatGatewaysCommand({ Filter: [{ Name, Values: [value] }] }))).NatGateways!.map((n) => n.NatGatewayId!);
    assert.deepEqual(await natIds("vpc-id", vpcId), [nat, priv.NatGatewayId]);
    assert.deepEqual(await natIds("subnet-id", subnetId), [nat, priv.NatGatewayId]);
    assert.deepEqual(await natIds("nat-gateway-id", nat), [nat]);
    assert.deepEqual(await natIds("tag:Name", "nat"), [nat]);
    assert.equal(await errorCode(a.send(new DescribeNatGatewaysCommand({ NatGatewayIds: ["nat-0123456789abcdef0"] }))), "NatGatewayNotFound");

    // Deleting the NAT gateway frees its address, which can then be released.
    assert.deepEqual((await a.send(new DeleteNatGatewayCommand({ NatGatewayId: nat }))).NatGatewayId, nat);
    assert.deepEqual(await natIds("state", "deleted"), [nat]);
    assert.deepEqual(await natIds("state", "available"), [priv.NatGatewayId]);
    assert.equal((await a.send(new DescribeAddressesCommand({ AllocationIds: [eip.AllocationId!] }))).Addresses![0]!.AssociationId, undefined);
    await a.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId! }));
    assert.deepEqual(await addresses(), []);

    const b = ec2(server, "222222222222");
    assert.deepEqual((await b.send(new DescribeNatGatewaysCommand({}))).NatGateways, []);
    assert.equal(await errorCode(b.send(new DeleteNatGatewayCommand({ NatGatewayId: priv.NatGatewayId! }))), "NatGatewayNotFound");
  } finally {
    await server.close();
  }
});

test("virtual private gateways: create, attach one per VPC, describe and filter", async () => {
  const server = await startTestServer();
  try {
    const a = ec2(server);
    const { vpcId } = await vpcWithSubnet(a);
    const { VpnGateway } = await a.send(new CreateVpnGatewayCommand({ Type: "ipsec.1", TagSpecifications: [{ ResourceType: "vpn-gateway", Tags: [{ Key: "Name", Value: "onprem" }] }] }));
    const vgw = VpnGateway!.VpnGatewayId!;
    assert.match(vgw, /^vgw-[0-9a-f]{17}$/);
    assert.equal(VpnGateway!.State, "available");
    assert.equal(VpnGateway!.Type, "ipsec.1");
    assert.equal(VpnGateway!.AmazonSideAsn, 64512);
    assert.deepEqual(VpnGateway!.VpcAttachments, []);
    const look = async (): Promise<unknown> => (await a.send(new DescribeVpnGatewaysCommand({}))).VpnGateways;
    await unchanged(look, () => a.send(new CreateVpnGatewayCommand({ Type: "ipsec.2" as GatewayType })), "InvalidParameterValue");

    const attached = await a.send(new AttachVpnGatewayCommand({ VpnGatewayId: vgw, VpcId: vpcId }));
    assert.deepEqual(attached.VpcAttachment, { VpcId: vpcId, State: "attached" });
    const vgw2 = (await a.send(new CreateVpnGatewayCommand({ Type: "ipsec.1" }))).VpnGateway!.VpnGatewayId!;
    await unchanged(look, () => a.send(new AttachVpnGatewayCommand({ VpnGatewayId: vgw2, VpcId: vpcId })), "InvalidParameterValue");
    const vpc2 = (await a.send(new CreateVpcCommand({ CidrBlock: "10.1.0.0/16" }))).Vpc!.VpcId!;
    await unchanged(look, () => a.send(new AttachVpnGatewayCommand({ VpnGatewayId: vgw, VpcId: vpc2 })), "VpnGatewayAttachmentLimitExceeded");

    const [described] = (await a.send(new DescribeVpnGatewaysCommand({ VpnGatewayIds: [vgw] }))).VpnGateways!;
    assert.deepEqual(described!.VpcAttachments, [{ VpcId: vpcId, State: "attached" }]);
    assert.deepEqual(described!.Tags, [{ Key: "Name", Value: "onprem" }]);
    const byFilter = async (Name: string, value: string): Promise<string[]> =>
      (await a.send(new DescribeVpnGatewaysCommand({ Filters: [{ Name, Values: [value] }] }))).VpnGateways!.map((g) => g.VpnGatewayId!);
    assert.deepEqual(await byFilter("attachment.vpc-id", vpcId), [vgw]);
    assert.deepEqual(await byFilter("attachment.state", "attached"), [vgw]);
    assert.deepEqual(await byFilter("vpn-gateway-id", vgw2), [vgw2]);
    assert.deepEqual(await byFilter("type", "ipsec.1"), [vgw, vgw2]);
    assert.deepEqual(await byFilter("amazon-side-asn", "64512"), [vgw, vgw2]);
    assert.equal(await errorCode(a.send(new DescribeVpnGatewaysCommand({ VpnGatewayIds: ["vgw-0123456789abcdef0"] }))), "InvalidVpnGatewayID.NotFound");
    assert.deepEqual((await ec2(server, "222222222222").send(new DescribeVpnGatewaysCommand({}))).VpnGateways, []);
  } finally {
    await server.close();
  }
});

test("aws-cli reads NAT gateways and addresses in the shapes it expects", async () => {
  const server = await startTestServer();
  try {
    const vpcId = (await awsCli<{ Vpc: { VpcId: string } }>(server, "create-vpc", "--cidr-block", "10.0.0.0/16")).Vpc.VpcId;
    const subnetId = (await awsCli<{ Subnet: { SubnetId: string } }>(server, "create-subnet", "--vpc-id", vpcId, "--cidr-block", "10.0.1.0/24")).Subnet.SubnetId;
    const eip = await awsCli<{ AllocationId: string; PublicIp: string; Domain: string }>(server, "allocate-address", "--domain", "vpc");
    assert.equal(eip.Domain, "vpc");
    const nat = (await awsCli<{ NatGateway: { NatGatewayId: string } }>(server, "create-nat-gateway", "--subnet-id", subnetId, "--allocation-id", eip.AllocationId)).NatGateway.NatGatewayId;
    const described = await awsCli<DescribeNatGatewaysResult>(server, "describe-nat-gateways", "--filter", `Name=vpc-id,Values=${vpcId}`);
    assert.equal(described.NatGateways!.length, 1);
    const n = described.NatGateways![0]!;
    assert.equal(n.NatGatewayId, nat);
    assert.equal(n.State, "available");
    assert.equal(n.NatGatewayAddresses![0]!.PublicIp, eip.PublicIp);
    assert.equal(n.NatGatewayAddresses![0]!.IsPrimary, true);
    const addresses = await awsCli<DescribeAddressesResult>(server, "describe-addresses", "--public-ips", eip.PublicIp);
    assert.equal(addresses.Addresses![0]!.AllocationId, eip.AllocationId);
    assert.equal(addresses.Addresses![0]!.NetworkInterfaceId, n.NatGatewayAddresses![0]!.NetworkInterfaceId);
  } finally {
    await server.close();
  }
});
