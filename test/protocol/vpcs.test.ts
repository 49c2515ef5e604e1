// VPCs and subnets through the real AWS SDK for JavaScript against a running server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CreateSubnetCommand, CreateVpcCommand, DeleteVpcCommand, DescribeSubnetsCommand, DescribeVpcAttributeCommand, DescribeVpcsCommand, ModifyVpcAttributeCommand } from "@aws-sdk/client-ec2";
import { ec2, errorCode, startTestServer } from "../e2e/server.js";

test("VPCs: create with tags, describe by filter and page, attributes one at a time, accounts apart", async () => {
  const server = await startTestServer();
  try {
    const a = ec2(server);
    const { Vpc } = await a.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16", TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "Name", Value: "lab" }] }] }));
    assert.match(Vpc!.VpcId!, /^vpc-[0-9a-f]{17}$/);
    assert.equal(Vpc!.State, "available");
    for (let i = 1; i <= 6; i++) await a.send(new CreateVpcCommand({ CidrBlock: `10.${i}.0.0/16` }));
    const byTag = await a.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:Name", Values: ["l*"] }] }));
    assert.deepEqual(byTag.Vpcs!.map((v) => v.VpcId), [Vpc!.VpcId]);
    const page1 = await a.send(new DescribeVpcsCommand({ MaxResults: 5 }));
    assert.equal(page1.Vpcs!.length, 5);
    const page2 = await a.send(new DescribeVpcsCommand({ MaxResults: 5, NextToken: page1.NextToken! }));
    assert.equal(page2.Vpcs!.length, 2);
    assert.equal(page2.NextToken, undefined);
    assert.equal(await errorCode(a.send(new DescribeVpcsCommand({ MaxResults: 2 }))), "InvalidParameterValue");

    await a.send(new ModifyVpcAttributeCommand({ VpcId: Vpc!.VpcId!, EnableDnsHostnames: { Value: true } }));
    const attr = await a.send(new DescribeVpcAttributeCommand({ VpcId: Vpc!.VpcId!, Attribute: "enableDnsHostnames" }));
    assert.equal(attr.EnableDnsHostnames?.Value, true);
    assert.equal(await errorCode(a.send(new ModifyVpcAttributeCommand({ VpcId: Vpc!.VpcId!, EnableDnsHostnames: { Value: true }, EnableDnsSupport: { Value: true } }))), "InvalidParameterCombination");

    const other = ec2(server, "222222222222");
    assert.equal((await other.send(new DescribeVpcsCommand({}))).Vpcs!.length, 0, "another account sees none of them");
    assert.equal(await errorCode(other.send(new DescribeVpcsCommand({ VpcIds: [Vpc!.VpcId!] }))), "InvalidVpcID.NotFound");

    const { Subnet } = await a.send(new CreateSubnetCommand({ VpcId: Vpc!.VpcId!, CidrBlock: "10.0.1.0/24", AvailabilityZone: "ap-northeast-2a" }));
    assert.equal(Subnet!.AvailableIpAddressCount, 251);
    assert.equal(await errorCode(a.send(new CreateSubnetCommand({ VpcId: Vpc!.VpcId!, CidrBlock: "10.0.1.0/25" }))), "InvalidSubnet.Conflict");
    const subnets = await a.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [Vpc!.VpcId!] }] }));
    assert.deepEqual(subnets.Subnets!.map((s) => s.SubnetId), [Subnet!.SubnetId]);
    assert.equal(await errorCode(a.send(new DescribeSubnetsCommand({ Filters: [{ Name: "no-such-filter", Values: ["x"] }] }))), "InvalidParameterValue");
  } finally {
    await server.close();
  }
});

test("a list sent without its index is an unknown parameter, not an empty list", async () => {
  const server = await startTestServer();
  try {
    await ec2(server).send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
    const res = await fetch(server.endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: "AWS4-HMAC-SHA256 Credential=111111111111/20261123/ap-northeast-2/ec2/aws4_request, SignedHeaders=host, Signature=0" },
      body: "Action=DescribeVpcs&Version=2016-11-15&VpcId=vpc-0123456789abcdef0",
    });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /<Code>UnknownParameter<\/Code><Message>The parameter VpcId is not recognized<\/Message>/);
  } finally {
    await server.close();
  }
});

test("paging through while deleting skips nothing; a token works only with the parameters it was issued for", async () => {
  const server = await startTestServer();
  try {
    const a = ec2(server);
    for (let i = 0; i < 7; i++) await a.send(new CreateVpcCommand({ CidrBlock: `10.${i}.0.0/16`, TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "pg", Value: "x" }] }] }));
    const filters = [{ Name: "tag-key", Values: ["pg"] }];
    const first = await a.send(new DescribeVpcsCommand({ MaxResults: 5, Filters: filters }));
    await a.send(new DeleteVpcCommand({ VpcId: first.Vpcs![0]!.VpcId! }));
    const second = await a.send(new DescribeVpcsCommand({ MaxResults: 5, Filters: filters, NextToken: first.NextToken! }));
    assert.equal(second.Vpcs!.length, 2, "the two VPCs after the first page, although one of the first page is gone");
    assert.equal(second.NextToken, undefined);
    const again = await a.send(new DescribeVpcsCommand({ MaxResults: 5, Filters: filters }));
    assert.equal(await errorCode(a.send(new DescribeVpcsCommand({ MaxResults: 5, Filters: [{ Name: "tag-key", Values: ["other"] }], NextToken: again.NextToken! }))), "InvalidParameterValue");
  } finally {
    await server.close();
  }
});

test("TagSpecifications keep one value per key and the same limits as CreateTags", async () => {
  const server = await startTestServer();
  try {
    const a = ec2(server);
    const { Vpc } = await a.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16", TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "a", Value: "1" }, { Key: "a", Value: "2" }] }] }));
    assert.deepEqual(Vpc!.Tags, [{ Key: "a", Value: "2" }]);
    assert.equal(await errorCode(a.send(new CreateVpcCommand({ CidrBlock: "10.1.0.0/16", TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "k".repeat(129), Value: "1" }] }] }))), "InvalidParameterValue");
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    assert.equal(await errorCode(a.send(new CreateVpcCommand({ CidrBlock: "10.1.0.0/16", TagSpecifications: [{ ResourceType: "vpc", Tags: many }] }))), "TagLimitExceeded");
    assert.equal((await a.send(new DescribeVpcsCommand({}))).Vpcs!.length, 1, "the refused creates made nothing");
  } finally {
    await server.close();
  }
});
