// Network ACLs, their entries and subnet associations through the real AWS SDK (and once through aws-cli).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  CreateNetworkAclCommand, CreateNetworkAclEntryCommand, CreateSubnetCommand, CreateVpcCommand, DeleteNetworkAclCommand,
  DeleteNetworkAclEntryCommand, DescribeNetworkAclsCommand, type EC2Client, ReplaceNetworkAclAssociationCommand, ReplaceNetworkAclEntryCommand,
} from "@aws-sdk/client-ec2";
import { REGION, ec2, errorCode, startTestServer } from "../e2e/server.js";

async function acls(c: EC2Client): Promise<unknown> {
  return (await c.send(new DescribeNetworkAclsCommand({}))).NetworkAcls;
}

test("network ACLs: default and custom, entries in AWS's order, associations moved, filters, deletes refused, accounts apart", async () => {
  const server = await startTestServer();
  try {
    const a = ec2(server);
    const { Vpc } = await a.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
    const vpcId = Vpc!.VpcId!;
    const { Subnet } = await a.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24" }));

    // The default ACL: allow all, then the catch-all deny, outbound entries first; the subnet is associated with it.
    const [def] = (await a.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: "default", Values: ["true"] }, { Name: "vpc-id", Values: [vpcId] }] }))).NetworkAcls!;
    assert.equal(def!.IsDefault, true);
    assert.deepEqual(def!.Entries!.map((e) => [e.Egress, e.RuleNumber, e.Protocol, e.RuleAction, e.CidrBlock]), [
      [true, 100, "-1", "allow", "0.0.0.0/0"], [true, 32767, "-1", "deny", "0.0.0.0/0"],
      [false, 100, "-1", "allow", "0.0.0.0/0"], [false, 32767, "-1", "deny", "0.0.0.0/0"],
    ]);
    assert.equal(def!.Associations!.length, 1);
    const assoc = def!.Associations![0]!;
    assert.deepEqual([assoc.NetworkAclId, assoc.SubnetId], [def!.NetworkAclId, Subnet!.SubnetId]);
    assert.match(assoc.NetworkAclAssociationId!, /^aclassoc-[0-9a-f]{17}$/);

    const { NetworkAcl } = await a.send(new CreateNetworkAclCommand({ VpcId: vpcId, TagSpecifications: [{ ResourceType: "network-acl", Tags: [{ Key: "Name", Value: "private" }] }] }));
    const aclId = NetworkAcl!.NetworkAclId!;
    assert.match(aclId, /^acl-[0-9a-f]{17}$/);
    assert.equal(NetworkAcl!.IsDefault, false);
    assert.equal(NetworkAcl!.OwnerId, "111111111111");
    assert.deepEqual(NetworkAcl!.Tags, [{ Key: "Name", Value: "private" }]);
    assert.deepEqual(NetworkAcl!.Entries!.map((e) => [e.Egress, e.RuleNumber, e.RuleAction]), [[true, 32767, "deny"], [false, 32767, "deny"]]);
    assert.equal(await errorCode(a.send(new CreateNetworkAclCommand({ VpcId: "vpc-0123456789abcdef0" }))), "InvalidVpcID.NotFound");

    // Entries.
    const https = { NetworkAclId: aclId, RuleNumber: 100, Protocol: "6", RuleAction: "allow" as const, Egress: false, CidrBlock: "0.0.0.0/0", PortRange: { From: 443, To: 443 } };
    await a.send(new CreateNetworkAclEntryCommand(https));
    await a.send(new CreateNetworkAclEntryCommand({ ...https, Egress: true, PortRange: { From: 1024, To: 65535 } }));
    await a.send(new CreateNetworkAclEntryCommand({ ...https, RuleNumber: 90, Protocol: "1", RuleAction: "deny", CidrBlock: "10.9.0.0/16", PortRange: undefined, IcmpTypeCode: { Type: -1, Code: -1 } }));
    const before = await acls(a);
    assert.equal(await errorCode(a.send(new CreateNetworkAclEntryCommand(https))), "NetworkAclEntryAlreadyExists");
    assert.equal(await errorCode(a.send(new CreateNetworkAclEntryCommand({ ...https, RuleNumber: 32767 }))), "InvalidParameterValue");
    assert.equal(await errorCode(a.send(new CreateNetworkAclEntryCommand({ ...https, RuleNumber: 110, CidrBlock: "10.0.0.1/8" }))), "InvalidParameterValue");
    assert.equal(await errorCode(a.send(new CreateNetworkAclEntryCommand({ ...https, RuleNumber: 110, PortRange: undefined }))), "MissingParameter");
    assert.equal(await errorCode(a.send(new CreateNetworkAclEntryCommand({ ...https, RuleNumber: 110, CidrBlock: undefined }))), "MissingParameter");
    assert.equal(await errorCode(a.send(new ReplaceNetworkAclEntryCommand({ ...https, RuleNumber: 200 }))), "InvalidNetworkAclEntry.NotFound");
    assert.equal(await errorCode(a.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 200, Egress: false }))), "InvalidNetworkAclEntry.NotFound");
    assert.equal(await errorCode(a.send(new CreateNetworkAclEntryCommand({ ...https, NetworkAclId: "acl-0123456789abcdef0" }))), "InvalidNetworkAclID.NotFound");
    assert.deepEqual(await acls(a), before, "failed calls change nothing");

    await a.send(new ReplaceNetworkAclEntryCommand({ ...https, Protocol: "tcp", PortRange: { From: 80, To: 443 } }));
    const [custom] = (await a.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [aclId] }))).NetworkAcls!;
    assert.deepEqual(custom!.Entries!.map((e) => [e.Egress, e.RuleNumber]), [[true, 100], [true, 32767], [false, 90], [false, 100], [false, 32767]]);
    const replaced = custom!.Entries!.find((e) => !e.Egress && e.RuleNumber === 100)!;
    assert.deepEqual([replaced.Protocol, replaced.PortRange], ["6", { From: 80, To: 443 }]);
    assert.deepEqual(custom!.Entries!.find((e) => e.RuleNumber === 90)!.IcmpTypeCode, { Type: -1, Code: -1 });
    await a.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 90, Egress: false }));

    // Filters.
    const ids = async (Name: string, Values: string[]): Promise<string[]> =>
      (await a.send(new DescribeNetworkAclsCommand({ Filters: [{ Name, Values }] }))).NetworkAcls!.map((x) => x.NetworkAclId!).sort();
    assert.deepEqual(await ids("entry.rule-number", ["100"]), [aclId, def!.NetworkAclId].sort());
    assert.deepEqual(await ids("entry.port-range.from", ["80"]), [aclId]);
    assert.deepEqual(await ids("entry.protocol", ["tcp"]), [aclId]);
    assert.deepEqual(await ids("entry.rule-action", ["allow"]), [aclId, def!.NetworkAclId].sort());
    assert.deepEqual(await ids("default", ["false"]), [aclId]);
    assert.deepEqual(await ids("tag:Name", ["private"]), [aclId]);
    assert.deepEqual(await ids("association.subnet-id", [Subnet!.SubnetId!]), [def!.NetworkAclId]);
    assert.equal(await errorCode(a.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: "entry.nope", Values: ["1"] }] }))), "InvalidParameterValue");

    // Moving the subnet to the custom ACL gives a new association id; the old one is gone.
    const moved = await a.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: assoc.NetworkAclAssociationId!, NetworkAclId: aclId }));
    assert.match(moved.NewAssociationId!, /^aclassoc-[0-9a-f]{17}$/);
    assert.notEqual(moved.NewAssociationId, assoc.NetworkAclAssociationId);
    assert.deepEqual(await ids("association.subnet-id", [Subnet!.SubnetId!]), [aclId]);
    assert.deepEqual(await ids("association.association-id", [moved.NewAssociationId!]), [aclId]);
    assert.equal(await errorCode(a.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: assoc.NetworkAclAssociationId!, NetworkAclId: aclId }))), "InvalidAssociationID.NotFound");

    // Deletes: never the default ACL, and not while a subnet uses it.
    const beforeDelete = await acls(a);
    assert.equal(await errorCode(a.send(new DeleteNetworkAclCommand({ NetworkAclId: def!.NetworkAclId! }))), "InvalidParameterValue");
    assert.equal(await errorCode(a.send(new DeleteNetworkAclCommand({ NetworkAclId: aclId }))), "DependencyViolation");
    assert.deepEqual(await acls(a), beforeDelete);

    // Another account neither sees nor changes it.
    const other = ec2(server, "222222222222");
    assert.equal((await other.send(new DescribeNetworkAclsCommand({}))).NetworkAcls!.length, 0);
    assert.equal(await errorCode(other.send(new DeleteNetworkAclCommand({ NetworkAclId: aclId }))), "InvalidNetworkAclID.NotFound");
    assert.equal(await errorCode(other.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: moved.NewAssociationId!, NetworkAclId: aclId }))), "InvalidNetworkAclID.NotFound");

    await a.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: moved.NewAssociationId!, NetworkAclId: def!.NetworkAclId! }));
    await a.send(new DeleteNetworkAclCommand({ NetworkAclId: aclId }));
    assert.equal(await errorCode(a.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [aclId] }))), "InvalidNetworkAclID.NotFound");
  } finally {
    await server.close();
  }
});

test("network ACLs through aws-cli: entries and associations as the CLI prints them", async () => {
  const server = await startTestServer();
  try {
    const a = ec2(server);
    const { Vpc } = await a.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
    await a.send(new CreateSubnetCommand({ VpcId: Vpc!.VpcId!, CidrBlock: "10.0.1.0/24" }));
    const env = { ...process.env, AWS_ACCESS_KEY_ID: "111111111111", AWS_SECRET_ACCESS_KEY: "x", AWS_DEFAULT_REGION: REGION };
    // Asynchronously: the server answers from this very process, so a synchronous child would deadlock it.
    const aws = async (...args: string[]): Promise<unknown> => {
      const { stdout } = await promisify(execFile)("aws", ["--endpoint-url", server.endpoint, "--output", "json", "ec2", ...args], { env, encoding: "utf8" });
      return stdout.trim() ? JSON.parse(stdout) : undefined;
    };
    const created = await aws("create-network-acl", "--vpc-id", Vpc!.VpcId!) as { NetworkAcl: { NetworkAclId: string } };
    await aws("create-network-acl-entry", "--network-acl-id", created.NetworkAcl.NetworkAclId, "--ingress", "--rule-number", "100", "--protocol", "tcp",
      "--port-range", "From=22,To=22", "--cidr-block", "10.0.0.0/16", "--rule-action", "allow");
    const out = await aws("describe-network-acls", "--filters", `Name=vpc-id,Values=${Vpc!.VpcId!}`) as {
      NetworkAcls: { NetworkAclId: string; IsDefault: boolean; Associations: { SubnetId: string }[]; Entries: { RuleNumber: number; Egress: boolean; Protocol: string; PortRange?: { From: number; To: number } }[] }[];
    };
    assert.equal(out.NetworkAcls.length, 2);
    const def = out.NetworkAcls.find((x) => x.IsDefault)!;
    assert.equal(def.Associations.length, 1);
    const custom = out.NetworkAcls.find((x) => !x.IsDefault)!;
    const ssh = custom.Entries.find((e) => e.RuleNumber === 100)!;
    assert.deepEqual([ssh.Egress, ssh.Protocol, ssh.PortRange], [false, "6", { From: 22, To: 22 }]);
    await aws("delete-network-acl", "--network-acl-id", custom.NetworkAclId);
  } finally {
    await server.close();
  }
});
