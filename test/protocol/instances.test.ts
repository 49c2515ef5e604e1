// Instances and network interfaces through the real AWS SDK for JavaScript (and once through aws-cli).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  CreateNetworkInterfaceCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DeleteNetworkInterfaceCommand,
  DeleteSecurityGroupCommand, DescribeInstancesCommand, DescribeNetworkInterfacesCommand, type EC2Client, ModifyNetworkInterfaceAttributeCommand,
  ModifyVpcAttributeCommand, RunInstancesCommand, StartInstancesCommand, StopInstancesCommand, TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { createVpcEndpoint, ENDPOINT_REQUESTER_ID } from "../../src/control/endpoints.js";
import { allocateAddress, createNatGateway } from "../../src/control/gateways.js";
import { REGION, ec2, errorCode, refused, startTestServer, type TestServer } from "../e2e/server.js";

const AMI = "ami-0c9c942bd7bf113a2";

async function network(c: EC2Client, region = REGION): Promise<{ vpcId: string; subnetA: string; subnetC: string; web: string }> {
  const { Vpc } = await c.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
  const vpcId = Vpc!.VpcId!;
  await c.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
  const a = await c.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24", AvailabilityZone: `${region}a` }));
  const cc = await c.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.2.0/24", AvailabilityZone: `${region}c` }));
  const web = await c.send(new CreateSecurityGroupCommand({ GroupName: "web", Description: "web", VpcId: vpcId }));
  return { vpcId, subnetA: a.Subnet!.SubnetId!, subnetC: cc.Subnet!.SubnetId!, web: web.GroupId! };
}

async function snapshot(c: EC2Client): Promise<unknown> {
  return [(await c.send(new DescribeInstancesCommand({}))).Reservations, (await c.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces];
}

test("instances: launched pending then running, grouped by reservation, named like AWS, filtered, paged, terminated", async () => {
  const server = await startTestServer();
  try {
    const c = ec2(server);
    const { vpcId, subnetA, subnetC, web } = await network(c);

    const r1 = await c.send(new RunInstancesCommand({
      ImageId: AMI, InstanceType: "t3.micro", MinCount: 1, MaxCount: 2, SubnetId: subnetA, SecurityGroupIds: [web],
      Placement: { AvailabilityZone: `${REGION}a` },
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "app" }] }, { ResourceType: "network-interface", Tags: [{ Key: "role", Value: "app-eni" }] }],
    }));
    assert.match(r1.ReservationId!, /^r-[0-9a-f]{17}$/);
    assert.equal(r1.OwnerId, "111111111111");
    assert.equal(r1.Instances!.length, 2);
    const [i1, i2] = r1.Instances!;
    assert.match(i1!.InstanceId!, /^i-[0-9a-f]{17}$/);
    assert.deepEqual(i1!.State, { Code: 0, Name: "pending" });
    assert.deepEqual([i1!.PrivateIpAddress, i2!.PrivateIpAddress], ["10.0.1.4", "10.0.1.5"], "the first four addresses are AWS's");
    assert.equal(i1!.PrivateDnsName, `ip-10-0-1-4.${REGION}.compute.internal`);
    assert.equal(i1!.PublicIpAddress, undefined);
    assert.equal(i1!.PublicDnsName, "");
    assert.deepEqual([i1!.SubnetId, i1!.VpcId, i1!.Placement!.AvailabilityZone, i1!.ImageId, i1!.InstanceType], [subnetA, vpcId, `${REGION}a`, AMI, "t3.micro"]);
    assert.deepEqual(i1!.SecurityGroups, [{ GroupId: web, GroupName: "web" }]);
    assert.deepEqual([i1!.AmiLaunchIndex, i2!.AmiLaunchIndex], [0, 1]);
    assert.deepEqual(i1!.Tags, [{ Key: "Name", Value: "app" }]);
    const nic = i1!.NetworkInterfaces![0]!;
    assert.deepEqual([nic.Attachment!.DeviceIndex, nic.Attachment!.Status, nic.PrivateIpAddress, nic.SubnetId, nic.InterfaceType], [0, "attached", "10.0.1.4", subnetA, "interface"]);
    assert.match(nic.MacAddress!, /^02(:[0-9a-f]{2}){5}$/);

    // Through NetworkInterface.1 with a public address: the VPC has DNS hostnames on, so a public name too.
    const r2 = await c.send(new RunInstancesCommand({
      ImageId: AMI, MinCount: 1, MaxCount: 1,
      NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetC, AssociatePublicIpAddress: true, Groups: [web], Description: "public nic" }],
    }));
    const pub = r2.Instances![0]!;
    assert.match(pub.PublicIpAddress!, /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(pub.PublicDnsName, `ec2-${pub.PublicIpAddress!.replaceAll(".", "-")}.${REGION}.compute.amazonaws.com`);
    assert.equal(pub.NetworkInterfaces![0]!.Association!.PublicIp, pub.PublicIpAddress);
    assert.equal(pub.NetworkInterfaces![0]!.Description, "public nic");
    assert.equal(pub.Placement!.AvailabilityZone, `${REGION}c`);

    // Refused launches change nothing.
    const before = await snapshot(c);
    const run = (extra: object): Promise<unknown> => c.send(new RunInstancesCommand({ ImageId: AMI, MinCount: 1, MaxCount: 1, SubnetId: subnetA, ...extra }));
    assert.equal(await errorCode(run({ Placement: { AvailabilityZone: `${REGION}c` } })), "InvalidParameterValue");
    assert.equal(await errorCode(run({ SubnetId: undefined })), "VPCIdNotSpecified");
    assert.equal(await errorCode(run({ NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetA }] })), "InvalidParameterCombination");
    assert.equal(await errorCode(run({ SecurityGroups: ["web"] })), "InvalidParameterCombination");
    assert.equal(await errorCode(run({ ImageId: "ami-nope" })), "InvalidAMIID.Malformed");
    assert.equal(await errorCode(run({ PrivateIpAddress: "10.0.1.4" })), "InvalidIPAddress.InUse");
    assert.equal(await errorCode(run({ PrivateIpAddress: "10.0.1.3" })), "InvalidParameterValue");
    assert.equal(await errorCode(run({ SubnetId: "subnet-0123456789abcdef0" })), "InvalidSubnetID.NotFound");
    assert.equal(await errorCode(run({ MinCount: 300, MaxCount: 300 })), "InsufficientFreeAddressesInSubnet");
    assert.equal(await errorCode(run({ MinCount: 2, MaxCount: 1 })), "InvalidParameterValue");
    const otherVpc = await c.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }));
    const foreign = await c.send(new CreateSecurityGroupCommand({ GroupName: "x", Description: "x", VpcId: otherVpc.Vpc!.VpcId! }));
    assert.equal(await errorCode(run({ SecurityGroupIds: [foreign.GroupId!] })), "InvalidParameter");
    assert.deepEqual(await snapshot(c), before);

    // A third launch so that there is something to page over; MaxCount beyond the free addresses launches what fits.
    const r3 = await c.send(new RunInstancesCommand({ ImageId: AMI, MinCount: 1, MaxCount: 3, SubnetId: subnetA }));
    assert.equal(r3.Instances!.length, 3);
    assert.deepEqual(r3.Instances![0]!.SecurityGroups!.map((g) => g.GroupName), ["default"], "the VPC's default group when none is named");

    const all = await c.send(new DescribeInstancesCommand({}));
    assert.deepEqual(all.Reservations!.map((r) => [r.ReservationId, r.Instances!.length]), [[r1.ReservationId, 2], [r2.ReservationId, 1], [r3.ReservationId, 3]]);
    const running = all.Reservations![0]!.Instances![0]!;
    assert.deepEqual(running.State, { Code: 16, Name: "running" });
    assert.equal(running.AmiLaunchIndex, 0);
    const ids = async (Name: string, Values: string[]): Promise<string[]> =>
      (await c.send(new DescribeInstancesCommand({ Filters: [{ Name, Values }] }))).Reservations!.flatMap((r) => r.Instances!.map((x) => x.InstanceId!));
    assert.deepEqual(await ids("tag:Name", ["app"]), [i1!.InstanceId, i2!.InstanceId]);
    assert.deepEqual(await ids("private-ip-address", ["10.0.1.5"]), [i2!.InstanceId]);
    assert.deepEqual(await ids("ip-address", [pub.PublicIpAddress!]), [pub.InstanceId]);
    assert.deepEqual(await ids("subnet-id", [subnetC]), [pub.InstanceId]);
    assert.deepEqual(await ids("availability-zone", [`${REGION}c`]), [pub.InstanceId]);
    assert.deepEqual(await ids("network-interface.network-interface-id", [nic.NetworkInterfaceId!]), [i1!.InstanceId]);
    assert.equal((await ids("instance.group-id", [web])).length, 3);
    assert.equal((await ids("vpc-id", [vpcId])).length, 6);
    assert.equal(await errorCode(c.send(new DescribeInstancesCommand({ Filters: [{ Name: "no-such", Values: ["x"] }] }))), "InvalidParameterValue");
    const page1 = await c.send(new DescribeInstancesCommand({ MaxResults: 5 }));
    assert.equal(page1.Reservations!.flatMap((r) => r.Instances).length, 5);
    const page2 = await c.send(new DescribeInstancesCommand({ MaxResults: 5, NextToken: page1.NextToken! }));
    assert.deepEqual(page2.Reservations!.map((r) => [r.ReservationId, r.Instances!.length]), [[r3.ReservationId, 1]]);
    assert.equal(page2.NextToken, undefined);
    assert.equal(await errorCode(c.send(new DescribeInstancesCommand({ MaxResults: 5, InstanceIds: [i1!.InstanceId!] }))), "InvalidParameterCombination");

    // Terminate: all or nothing, shutting-down first, then terminated without addresses; a second call says terminated.
    const beforeTerminate = await snapshot(c);
    assert.equal(await errorCode(c.send(new TerminateInstancesCommand({ InstanceIds: [i1!.InstanceId!, "i-0123456789abcdef0"] }))), "InvalidInstanceID.NotFound");
    assert.deepEqual(await snapshot(c), beforeTerminate);
    const t = await c.send(new TerminateInstancesCommand({ InstanceIds: [i1!.InstanceId!] }));
    assert.deepEqual(t.TerminatingInstances, [{ InstanceId: i1!.InstanceId, PreviousState: { Code: 16, Name: "running" }, CurrentState: { Code: 32, Name: "shutting-down" } }]);
    const [gone] = (await c.send(new DescribeInstancesCommand({ InstanceIds: [i1!.InstanceId!] }))).Reservations![0]!.Instances!;
    assert.deepEqual(gone!.State, { Code: 48, Name: "terminated" });
    assert.equal(gone!.PrivateIpAddress, undefined);
    assert.deepEqual(gone!.NetworkInterfaces, []);
    assert.deepEqual(await ids("instance-state-name", ["terminated"]), [i1!.InstanceId]);
    assert.equal(await errorCode(c.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [nic.NetworkInterfaceId!] }))), "InvalidNetworkInterfaceID.NotFound");
    const again = await c.send(new TerminateInstancesCommand({ InstanceIds: [i1!.InstanceId!] }));
    assert.deepEqual(again.TerminatingInstances![0]!.CurrentState, { Code: 48, Name: "terminated" });

    // Another account.
    const other = ec2(server, "222222222222");
    assert.deepEqual((await other.send(new DescribeInstancesCommand({}))).Reservations, []);
    assert.equal(await errorCode(other.send(new TerminateInstancesCommand({ InstanceIds: [i2!.InstanceId!] }))), "InvalidInstanceID.NotFound");
    assert.equal(await errorCode(other.send(new RunInstancesCommand({ ImageId: AMI, MinCount: 1, MaxCount: 1, SubnetId: subnetA }))), "InvalidSubnetID.NotFound");

    // In us-east-1 the private names are ec2.internal and the public ones compute-1.
    const east = ec2(server, "111111111111", "us-east-1");
    const n = await network(east, "us-east-1");
    const e = (await east.send(new RunInstancesCommand({ ImageId: AMI, MinCount: 1, MaxCount: 1, NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: n.subnetA, AssociatePublicIpAddress: true }] }))).Instances![0]!;
    assert.equal(e.PrivateDnsName, "ip-10-0-1-4.ec2.internal");
    assert.equal(e.PublicDnsName, `ec2-${e.PublicIpAddress!.replaceAll(".", "-")}.compute-1.amazonaws.com`);
  } finally {
    await server.close();
  }
});

/** AWS-managed ENIs are made by the endpoint and NAT gateway control operations (their API actions live elsewhere). */
function managedEnis(server: TestServer, vpcId: string, subnetId: string): void {
  const world = server.store.load();
  const ctx = { world, account: "111111111111", region: REGION };
  createVpcEndpoint(ctx, { vpcId, serviceName: `com.amazonaws.${REGION}.sts`, vpcEndpointType: "Interface", subnetIds: [subnetId] });
  createNatGateway(ctx, { subnetId, allocationId: allocateAddress(ctx).id });
  server.store.save(world);
}

test("network interfaces: instances', the user's own and AWS-managed ones; modify one attribute at a time; deletes refused while in use", async () => {
  const server = await startTestServer();
  try {
    const c = ec2(server);
    const { vpcId, subnetA, subnetC, web } = await network(c);
    const inst = (await c.send(new RunInstancesCommand({ ImageId: AMI, MinCount: 1, MaxCount: 1, SubnetId: subnetA, SecurityGroupIds: [web], TagSpecifications: [{ ResourceType: "network-interface", Tags: [{ Key: "role", Value: "app" }] }] }))).Instances![0]!;
    const [eni] = (await c.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "attachment.instance-id", Values: [inst.InstanceId!] }] }))).NetworkInterfaces!;
    assert.deepEqual([eni!.InterfaceType, eni!.Status, eni!.RequesterManaged, eni!.SourceDestCheck, eni!.OwnerId], ["interface", "in-use", false, true, "111111111111"]);
    assert.deepEqual([eni!.Attachment!.InstanceId, eni!.Attachment!.DeviceIndex, eni!.Attachment!.Status], [inst.InstanceId, 0, "attached"]);
    assert.deepEqual(eni!.Groups, [{ GroupId: web, GroupName: "web" }]);
    assert.deepEqual(eni!.PrivateIpAddresses, [{ Primary: true, PrivateIpAddress: "10.0.1.4", PrivateDnsName: `ip-10-0-1-4.${REGION}.compute.internal` }]);
    assert.deepEqual(eni!.TagSet, [{ Key: "role", Value: "app" }]);
    assert.equal(eni!.AvailabilityZone, `${REGION}a`);

    // The user's own ENI: available until attached; the VPC's default group when none is named.
    const created = (await c.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetC, Description: "spare", PrivateIpAddress: "10.0.2.10", TagSpecifications: [{ ResourceType: "network-interface", Tags: [{ Key: "Name", Value: "spare" }] }] }))).NetworkInterface!;
    assert.match(created.NetworkInterfaceId!, /^eni-[0-9a-f]{17}$/);
    assert.deepEqual([created.Status, created.PrivateIpAddress, created.Description, created.Attachment], ["available", "10.0.2.10", "spare", undefined]);
    assert.deepEqual(created.Groups!.map((g) => g.GroupName), ["default"]);
    assert.deepEqual(created.TagSet, [{ Key: "Name", Value: "spare" }]);
    const before = await snapshot(c);
    assert.equal(await errorCode(c.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetC, PrivateIpAddress: "10.0.2.10" }))), "InvalidIPAddress.InUse");
    assert.equal(await errorCode(c.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetC, Groups: ["sg-0123456789abcdef0"] }))), "InvalidGroup.NotFound");
    assert.equal(await errorCode(c.send(new CreateNetworkInterfaceCommand({ SubnetId: "subnet-0123456789abcdef0" }))), "InvalidSubnetID.NotFound");
    assert.equal(await errorCode(c.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni!.NetworkInterfaceId!, SourceDestCheck: { Value: false }, Groups: [web] }))), "InvalidParameterCombination");
    assert.equal(await errorCode(c.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni!.NetworkInterfaceId! }))), "InvalidParameterValue", "in use by the instance");
    assert.equal(await errorCode(c.send(new DeleteSecurityGroupCommand({ GroupId: web }))), "DependencyViolation", "a group an ENI uses cannot go");
    assert.deepEqual(await snapshot(c), before);

    await c.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni!.NetworkInterfaceId!, SourceDestCheck: { Value: false } }));
    await c.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: created.NetworkInterfaceId!, Groups: [web] }));
    const ids = async (Name: string, Values: string[]): Promise<string[]> =>
      (await c.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name, Values }] }))).NetworkInterfaces!.map((x) => x.NetworkInterfaceId!).sort();
    assert.deepEqual(await ids("source-dest-check", ["false"]), [eni!.NetworkInterfaceId]);
    assert.deepEqual(await ids("group-id", [web]), [eni!.NetworkInterfaceId, created.NetworkInterfaceId].sort());
    assert.deepEqual(await ids("status", ["available"]), [created.NetworkInterfaceId]);
    assert.deepEqual(await ids("addresses.private-ip-address", ["10.0.2.10"]), [created.NetworkInterfaceId]);
    assert.deepEqual(await ids("description", ["spa*"]), [created.NetworkInterfaceId]);
    assert.equal((await c.send(new DescribeInstancesCommand({ InstanceIds: [inst.InstanceId!] }))).Reservations![0]!.Instances![0]!.SourceDestCheck, false);

    // Requester-managed ENIs of an interface endpoint and a NAT gateway are listed; they cannot be deleted.
    managedEnis(server, vpcId, subnetC);
    const [ep] = (await c.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "interface-type", Values: ["vpc_endpoint"] }] }))).NetworkInterfaces!;
    assert.deepEqual([ep!.RequesterManaged, ep!.RequesterId, ep!.Status, ep!.SubnetId, ep!.VpcId], [true, ENDPOINT_REQUESTER_ID, "in-use", subnetC, vpcId]);
    assert.match(ep!.Description!, /^VPC Endpoint Interface vpce-[0-9a-f]{17}$/);
    const [nat] = (await c.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "interface-type", Values: ["nat_gateway"] }] }))).NetworkInterfaces!;
    assert.match(nat!.Association!.PublicIp!, /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(nat!.Association!.IpOwnerId, "111111111111", "an Elastic IP is the owner's");
    assert.equal((await ids("requester-managed", ["true"])).length, 2);
    assert.equal(await errorCode(c.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: ep!.NetworkInterfaceId! }))), "InvalidParameterValue");

    await c.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: created.NetworkInterfaceId! }));
    assert.equal(await errorCode(c.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: created.NetworkInterfaceId! }))), "InvalidNetworkInterfaceID.NotFound");
    assert.equal(await errorCode(c.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: "eni-bad" }))), "InvalidNetworkInterfaceID.Malformed");
    assert.equal(await errorCode(c.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni!.NetworkInterfaceId!], MaxResults: 5 }))), "InvalidParameterCombination");

    const other = ec2(server, "222222222222");
    assert.deepEqual((await other.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces, []);
    assert.equal(await errorCode(other.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni!.NetworkInterfaceId!, SourceDestCheck: { Value: true } }))), "InvalidNetworkInterfaceID.NotFound");
  } finally {
    await server.close();
  }
});

test("instances through aws-cli: run-instances, describe-instances and describe-network-interfaces as the CLI prints them", async () => {
  const server = await startTestServer();
  try {
    const { subnetA } = await network(ec2(server));
    const env = { ...process.env, AWS_ACCESS_KEY_ID: "111111111111", AWS_SECRET_ACCESS_KEY: "x", AWS_DEFAULT_REGION: REGION };
    // Asynchronously: the server answers from this very process, so a synchronous child would deadlock it.
    const aws = async (...args: string[]): Promise<unknown> => {
      const { stdout } = await promisify(execFile)("aws", ["--endpoint-url", server.endpoint, "--output", "json", "ec2", ...args], { env, encoding: "utf8" });
      return stdout.trim() ? JSON.parse(stdout) : undefined;
    };
    const run = await aws("run-instances", "--image-id", AMI, "--count", "2", "--subnet-id", subnetA, "--instance-type", "t3.small",
      "--tag-specifications", "ResourceType=instance,Tags=[{Key=Name,Value=cli}]") as { ReservationId: string; Instances: { InstanceId: string; State: { Name: string } }[] };
    assert.equal(run.Instances.length, 2);
    assert.equal(run.Instances[0]!.State.Name, "pending");
    const described = await aws("describe-instances", "--filters", "Name=tag:Name,Values=cli") as {
      Reservations: { ReservationId: string; Instances: { InstanceType: string; PrivateIpAddress: string; State: { Code: number }; NetworkInterfaces: { Attachment: { DeviceIndex: number } }[] }[] }[];
    };
    assert.equal(described.Reservations.length, 1);
    assert.equal(described.Reservations[0]!.ReservationId, run.ReservationId);
    const first = described.Reservations[0]!.Instances[0]!;
    assert.deepEqual([first.InstanceType, first.PrivateIpAddress, first.State.Code, first.NetworkInterfaces[0]!.Attachment.DeviceIndex], ["t3.small", "10.0.1.4", 16, 0]);
    const enis = await aws("describe-network-interfaces", "--filters", `Name=subnet-id,Values=${subnetA}`) as { NetworkInterfaces: { Status: string; PrivateIpAddresses: { Primary: boolean }[] }[] };
    assert.equal(enis.NetworkInterfaces.length, 2);
    assert.equal(enis.NetworkInterfaces[0]!.PrivateIpAddresses[0]!.Primary, true);
    const term = await aws("terminate-instances", "--instance-ids", run.Instances[0]!.InstanceId) as { TerminatingInstances: { CurrentState: { Name: string } }[] };
    assert.equal(term.TerminatingInstances[0]!.CurrentState.Name, "shutting-down");
  } finally {
    await server.close();
  }
});

test("RunInstances with a ClientToken: a retry returns the same reservation, DescribeInstances shows the token", async () => {
  const server = await startTestServer();
  try {
    const a = ec2(server);
    const { Vpc } = await a.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
    const { Subnet } = await a.send(new CreateSubnetCommand({ VpcId: Vpc!.VpcId!, CidrBlock: "10.0.1.0/24" }));
    const launch = { ImageId: "ami-12345678", MinCount: 1, MaxCount: 1, SubnetId: Subnet!.SubnetId!, ClientToken: "launch-1" };
    const first = await a.send(new RunInstancesCommand(launch));
    const again = await a.send(new RunInstancesCommand(launch));
    assert.equal(again.ReservationId, first.ReservationId);
    assert.equal(again.Instances![0]!.InstanceId, first.Instances![0]!.InstanceId);
    const described = await a.send(new DescribeInstancesCommand({}));
    assert.equal(described.Reservations!.flatMap((r) => r.Instances!).length, 1, "the retry launched nothing");
    assert.equal(described.Reservations![0]!.Instances![0]!.ClientToken, "launch-1");
    assert.equal(await errorCode(a.send(new RunInstancesCommand({ ...launch, MaxCount: 2 }))), "IdempotentParameterMismatch");
  } finally {
    await server.close();
  }
});

test("instances: stopped and started again keep their address; a terminated one can do neither", async () => {
  const server = await startTestServer();
  try {
    const c = ec2(server);
    const { subnetA, web } = await network(c);
    const { Instances } = await c.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: "t3.micro", MinCount: 1, MaxCount: 1, SubnetId: subnetA, SecurityGroupIds: [web] }));
    const id = Instances![0]!.InstanceId!;
    const ip = Instances![0]!.PrivateIpAddress;
    const stop = await c.send(new StopInstancesCommand({ InstanceIds: [id] }));
    assert.deepEqual(stop.StoppingInstances, [{ InstanceId: id, PreviousState: { Code: 16, Name: "running" }, CurrentState: { Code: 64, Name: "stopping" } }]);
    const described = (await c.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!.Instances![0]!;
    assert.equal(described.State?.Name, "stopped");
    assert.equal(described.PrivateIpAddress, ip, "a stopped instance keeps its private address");
    assert.deepEqual((await c.send(new StopInstancesCommand({ InstanceIds: [id] }))).StoppingInstances![0]!.CurrentState, { Code: 80, Name: "stopped" });
    const start = await c.send(new StartInstancesCommand({ InstanceIds: [id] }));
    assert.deepEqual(start.StartingInstances![0]!.CurrentState, { Code: 0, Name: "pending" });
    assert.equal((await c.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!.Instances![0]!.State?.Name, "running");
    await c.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    await refused(server, () => c.send(new StartInstancesCommand({ InstanceIds: [id] })), "IncorrectInstanceState", `The instance '${id}' is not in a state from which it can be started.`);
    await refused(server, () => c.send(new StopInstancesCommand({ InstanceIds: ["i-0123456789abcdef0"] })), "InvalidInstanceID.NotFound");
  } finally {
    await server.close();
  }
});
