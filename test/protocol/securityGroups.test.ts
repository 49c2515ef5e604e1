// Security groups and their rules through the real AWS SDK for JavaScript (and once through aws-cli).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  AuthorizeSecurityGroupEgressCommand, AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateVpcCommand,
  DeleteSecurityGroupCommand, DescribeSecurityGroupRulesCommand, DescribeSecurityGroupsCommand, type EC2Client,
  RevokeSecurityGroupEgressCommand, RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import { prefixListFor } from "../../src/model/catalog/index.js";
import { REGION, ec2, errorCode, startTestServer } from "../e2e/server.js";

async function groups(c: EC2Client, ids?: string[]): Promise<unknown> {
  return (await c.send(new DescribeSecurityGroupsCommand(ids ? { GroupIds: ids } : {}))).SecurityGroups;
}

test("security groups: create, rules in AWS's grouping, filters, revoke by rule or id, delete, accounts apart", async () => {
  const server = await startTestServer();
  try {
    const a = ec2(server);
    const { Vpc } = await a.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
    const vpcId = Vpc!.VpcId!;
    const web = await a.send(new CreateSecurityGroupCommand({ GroupName: "web", Description: "web tier", VpcId: vpcId, TagSpecifications: [{ ResourceType: "security-group", Tags: [{ Key: "Name", Value: "web" }] }] }));
    assert.match(web.GroupId!, /^sg-[0-9a-f]{17}$/);
    assert.deepEqual(web.Tags, [{ Key: "Name", Value: "web" }]);
    const app = await a.send(new CreateSecurityGroupCommand({ GroupName: "app", Description: "app tier", VpcId: vpcId }));

    // Validation: each refused with AWS's code, and nothing changes.
    const before = await groups(a);
    assert.equal(await errorCode(a.send(new CreateSecurityGroupCommand({ GroupName: "WEB", Description: "again", VpcId: vpcId }))), "InvalidGroup.Duplicate", "names are case-insensitive");
    assert.equal(await errorCode(a.send(new CreateSecurityGroupCommand({ GroupName: "sg-web", Description: "x", VpcId: vpcId }))), "InvalidParameterValue");
    assert.equal(await errorCode(a.send(new CreateSecurityGroupCommand({ GroupName: "x", Description: "x" }))), "VPCIdNotSpecified");
    assert.equal(await errorCode(a.send(new CreateSecurityGroupCommand({ GroupName: "x", Description: "x", VpcId: "vpc-0123456789abcdef0" }))), "InvalidVpcID.NotFound");
    assert.deepEqual(await groups(a), before);

    // Ingress: several peers in one call; the answer lists one rule per peer.
    const s3 = prefixListFor(REGION, "s3")!.id;
    const auth = await a.send(new AuthorizeSecurityGroupIngressCommand({
      GroupId: web.GroupId!,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.0/16", Description: "ssh from vpc" }, { CidrIp: "192.168.1.7/24" }] },
        { IpProtocol: "tcp", FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: app.GroupId! }] },
      ],
    }));
    assert.equal(auth.Return, true);
    assert.equal(auth.SecurityGroupRules!.length, 3);
    const ssh = auth.SecurityGroupRules![0]!;
    assert.match(ssh.SecurityGroupRuleId!, /^sgr-[0-9a-f]{17}$/);
    assert.deepEqual([ssh.GroupId, ssh.GroupOwnerId, ssh.IsEgress, ssh.IpProtocol, ssh.FromPort, ssh.ToPort, ssh.CidrIpv4, ssh.Description], [web.GroupId, "111111111111", false, "tcp", 22, 22, "10.0.0.0/16", "ssh from vpc"]);
    assert.equal(auth.SecurityGroupRules![1]!.CidrIpv4, "192.168.1.0/24", "AWS canonicalizes rule CIDRs");
    assert.deepEqual(auth.SecurityGroupRules![2]!.ReferencedGroupInfo, { GroupId: app.GroupId, UserId: "111111111111" });
    await a.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: app.GroupId!, IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, PrefixListIds: [{ PrefixListId: s3, Description: "s3" }] }] }));
    // Legacy top-level parameters still work for ingress.
    await a.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: web.GroupId!, IpProtocol: "tcp", FromPort: 80, ToPort: 80, CidrIp: "0.0.0.0/0" }));

    const [sg] = (await a.send(new DescribeSecurityGroupsCommand({ GroupIds: [web.GroupId!] }))).SecurityGroups!;
    assert.equal(sg!.Description, "web tier");
    assert.equal(sg!.VpcId, vpcId);
    assert.equal(sg!.OwnerId, "111111111111");
    assert.deepEqual(sg!.IpPermissions!.map((p) => [p.IpProtocol, p.FromPort, p.ToPort]), [["tcp", 22, 22], ["tcp", 443, 443], ["tcp", 80, 80]]);
    assert.deepEqual(sg!.IpPermissions![0]!.IpRanges, [{ CidrIp: "10.0.0.0/16", Description: "ssh from vpc" }, { CidrIp: "192.168.1.0/24" }]);
    assert.deepEqual(sg!.IpPermissions![1]!.UserIdGroupPairs, [{ GroupId: app.GroupId, UserId: "111111111111" }]);
    assert.deepEqual(sg!.IpPermissions![1]!.IpRanges, []);
    assert.deepEqual(sg!.IpPermissionsEgress, [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }], "all-protocol permissions carry no ports");
    const appEgress = (await a.send(new DescribeSecurityGroupsCommand({ GroupIds: [app.GroupId!] }))).SecurityGroups![0]!.IpPermissionsEgress!;
    assert.deepEqual(appEgress[1]!.PrefixListIds, [{ PrefixListId: s3, Description: "s3" }]);

    // Errors on rules: duplicates (also in canonical form), limits, unknown protocols; nothing changes.
    const rulesBefore = await groups(a);
    assert.equal(await errorCode(a.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: web.GroupId!, IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "192.168.1.99/24" }] }] }))), "InvalidPermission.Duplicate");
    const many = Array.from({ length: 57 }, (_, n) => ({ IpProtocol: "udp", FromPort: 1000 + n, ToPort: 1000 + n, IpRanges: [{ CidrIp: "10.0.0.0/8" }] }));
    assert.equal(await errorCode(a.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: web.GroupId!, IpPermissions: many }))), "RulesPerSecurityGroupLimitExceeded");
    assert.equal(await errorCode(a.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: web.GroupId!, IpPermissions: [{ IpProtocol: "gre", IpRanges: [{ CidrIp: "10.0.0.0/8" }] }] }))), "InvalidParameterValue");
    assert.equal(await errorCode(a.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: web.GroupId!, CidrIp: "10.0.0.0/8", IpProtocol: "tcp", FromPort: 1, ToPort: 1, IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "10.0.0.0/8" }] }] }))), "InvalidParameterCombination");
    assert.equal(await errorCode(a.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: web.GroupId!, IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] }))), "InvalidPermission.Duplicate");
    assert.equal(await errorCode(a.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: "sg-0123456789abcdef0", IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "10.0.0.0/8" }] }] }))), "InvalidGroup.NotFound");
    assert.equal(await errorCode(a.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: "sg-nope", IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "10.0.0.0/8" }] }] }))), "InvalidGroupId.Malformed");
    assert.deepEqual(await groups(a), rulesBefore);

    // Filters, over ingress and egress rules.
    const ids = async (Name: string, Values: string[]): Promise<string[]> =>
      (await a.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name, Values }] }))).SecurityGroups!.map((g) => g.GroupId!).sort();
    assert.deepEqual(await ids("ip-permission.cidr", ["10.0.0.0/16"]), [web.GroupId]);
    assert.deepEqual(await ids("ip-permission.from-port", ["443"]), [web.GroupId]);
    assert.deepEqual(await ids("ip-permission.group-id", [app.GroupId!]), [web.GroupId]);
    assert.deepEqual(await ids("ip-permission.protocol", ["6"]), [web.GroupId]);
    assert.deepEqual(await ids("egress.ip-permission.prefix-list-id", [s3]), [app.GroupId]);
    assert.equal((await ids("egress.ip-permission.cidr", ["0.0.0.0/0"])).length, 3, "every group allows all egress, the default too");
    assert.equal((await ids("group-name", ["default"])).length, 1);
    assert.deepEqual(await ids("tag:Name", ["web"]), [web.GroupId]);
    assert.equal((await ids("vpc-id", [vpcId])).length, 3);
    assert.equal(await errorCode(a.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "ip-permission.bogus", Values: ["x"] }] }))), "InvalidParameterValue");

    // DescribeSecurityGroupRules.
    const rules = (await a.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [web.GroupId!] }] }))).SecurityGroupRules!;
    assert.equal(rules.length, 5, "4 ingress rules and the allow-all egress rule");
    const egressRule = rules.find((r) => r.IsEgress)!;
    assert.deepEqual([egressRule.IpProtocol, egressRule.FromPort, egressRule.ToPort, egressRule.CidrIpv4], ["-1", -1, -1, "0.0.0.0/0"]);
    const byId = await a.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [ssh.SecurityGroupRuleId!] }));
    assert.equal(byId.SecurityGroupRules![0]!.Description, "ssh from vpc");
    assert.equal(await errorCode(a.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: ["sgr-0123456789abcdef0"] }))), "InvalidSecurityGroupRuleId.NotFound");

    // Revoke by permission and by rule id; a rule that does not exist is an error (not a default VPC).
    const rev = await a.send(new RevokeSecurityGroupIngressCommand({ GroupId: web.GroupId!, IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] }));
    assert.equal(rev.Return, true);
    assert.equal(rev.RevokedSecurityGroupRules![0]!.CidrIpv4, "0.0.0.0/0");
    await a.send(new RevokeSecurityGroupIngressCommand({ GroupId: web.GroupId!, SecurityGroupRuleIds: [ssh.SecurityGroupRuleId!] }));
    const left = await groups(a, [web.GroupId!]) as { IpPermissions: { IpRanges: unknown[] }[] }[];
    assert.deepEqual(left[0]!.IpPermissions[0]!.IpRanges, [{ CidrIp: "192.168.1.0/24" }]);
    const afterRevoke = await groups(a);
    assert.equal(await errorCode(a.send(new RevokeSecurityGroupIngressCommand({ GroupId: web.GroupId!, IpPermissions: [{ IpProtocol: "tcp", FromPort: 8080, ToPort: 8080, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] }))), "InvalidPermission.NotFound");
    assert.equal(await errorCode(a.send(new RevokeSecurityGroupIngressCommand({ GroupId: web.GroupId!, SecurityGroupRuleIds: [egressRule.SecurityGroupRuleId!] }))), "InvalidSecurityGroupRuleId.NotFound", "an egress rule is not an ingress rule");
    assert.deepEqual(await groups(a), afterRevoke);
    await a.send(new RevokeSecurityGroupEgressCommand({ GroupId: web.GroupId!, IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] }));

    // Another account sees none of it.
    const other = ec2(server, "222222222222");
    assert.equal((await other.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups!.length, 0);
    assert.equal(await errorCode(other.send(new DescribeSecurityGroupsCommand({ GroupIds: [web.GroupId!] }))), "InvalidGroup.NotFound");
    assert.equal(await errorCode(other.send(new DeleteSecurityGroupCommand({ GroupId: web.GroupId! }))), "InvalidGroup.NotFound");

    // Delete: the default group never, a referenced group not yet; by name when the name is unambiguous.
    const defaultId = (await a.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: ["default"] }] }))).SecurityGroups![0]!.GroupId!;
    assert.equal(await errorCode(a.send(new DeleteSecurityGroupCommand({ GroupId: defaultId }))), "CannotDelete");
    assert.equal(await errorCode(a.send(new DeleteSecurityGroupCommand({ GroupId: app.GroupId! }))), "DependencyViolation");
    const del = await a.send(new DeleteSecurityGroupCommand({ GroupName: "web" }));
    assert.equal(del.GroupId, web.GroupId);
    await a.send(new DeleteSecurityGroupCommand({ GroupId: app.GroupId! }));
    assert.equal(await errorCode(a.send(new DescribeSecurityGroupsCommand({ GroupIds: [web.GroupId!] }))), "InvalidGroup.NotFound");
    // With two VPCs, "default" names two groups: AWS's answer without a default VPC.
    await a.send(new CreateVpcCommand({ CidrBlock: "10.1.0.0/16" }));
    assert.equal(await errorCode(a.send(new DeleteSecurityGroupCommand({ GroupName: "default" }))), "VPCIdNotSpecified");
  } finally {
    await server.close();
  }
});

test("security groups through aws-cli: the simplified --protocol/--port/--cidr form and DescribeSecurityGroups' JSON", async () => {
  const server = await startTestServer();
  try {
    const { Vpc } = await ec2(server).send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
    const env = { ...process.env, AWS_ACCESS_KEY_ID: "111111111111", AWS_SECRET_ACCESS_KEY: "x", AWS_DEFAULT_REGION: REGION };
    // Asynchronously: the server answers from this very process, so a synchronous child would deadlock it.
    const aws = async (...args: string[]): Promise<unknown> => {
      const { stdout } = await promisify(execFile)("aws", ["--endpoint-url", server.endpoint, "--output", "json", "ec2", ...args], { env, encoding: "utf8" });
      return stdout.trim() ? JSON.parse(stdout) : undefined;
    };
    const created = await aws("create-security-group", "--group-name", "web", "--description", "web", "--vpc-id", Vpc!.VpcId!) as { GroupId: string };
    const auth = await aws("authorize-security-group-ingress", "--group-id", created.GroupId, "--protocol", "tcp", "--port", "80", "--cidr", "0.0.0.0/0") as { Return: boolean; SecurityGroupRules: { FromPort: number }[] };
    assert.equal(auth.Return, true);
    assert.equal(auth.SecurityGroupRules[0]!.FromPort, 80);
    await aws("authorize-security-group-ingress", "--group-id", created.GroupId, "--ip-permissions", "IpProtocol=icmp,FromPort=-1,ToPort=-1,IpRanges=[{CidrIp=10.0.0.0/16}]");
    const described = await aws("describe-security-groups", "--group-ids", created.GroupId) as { SecurityGroups: { GroupName: string; IpPermissions: { IpProtocol: string; FromPort?: number; IpRanges: { CidrIp: string }[] }[] }[] };
    const sg = described.SecurityGroups[0]!;
    assert.equal(sg.GroupName, "web");
    assert.deepEqual(sg.IpPermissions.map((p) => [p.IpProtocol, p.FromPort, p.IpRanges[0]!.CidrIp]), [["tcp", 80, "0.0.0.0/0"], ["icmp", -1, "10.0.0.0/16"]]);
    const rules = await aws("describe-security-group-rules", "--filters", `Name=group-id,Values=${created.GroupId}`) as { SecurityGroupRules: unknown[] };
    assert.equal(rules.SecurityGroupRules.length, 3);
    await aws("delete-security-group", "--group-id", created.GroupId);
  } finally {
    await server.close();
  }
});
