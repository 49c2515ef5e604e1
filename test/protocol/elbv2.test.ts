// The ELBv2 wire through @aws-sdk/client-elastic-load-balancing-v2 and aws-cli against a server
// in this process: network and gateway load balancers, target groups, targets and their health,
// listeners, attributes and tags; every error by code; accounts apart; Marker paging.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DescribeNetworkInterfacesCommand,
  type EC2Client, RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import {
  AddTagsCommand, CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DeleteListenerCommand, DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand, DeregisterTargetsCommand, DescribeListenersCommand, DescribeLoadBalancerAttributesCommand, DescribeLoadBalancersCommand,
  DescribeTagsCommand, DescribeTargetGroupAttributesCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand, type ElasticLoadBalancingV2Client,
  ModifyListenerCommand, ModifyLoadBalancerAttributesCommand, ModifyTargetGroupAttributesCommand, ModifyTargetGroupCommand, RegisterTargetsCommand,
  RemoveTagsCommand, SetSubnetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { REGION, type TestServer, ec2, elbv2, errorCode, startTestServer } from "../e2e/server.js";

/** A VPC 10.0.0.0/16 with subnets in 2a and 2c, and a security group "web" holding one running instance in 2a. */
async function network(c: EC2Client): Promise<{ vpcId: string; a: string; c: string; sg: string; instance: string }> {
  const vpcId = (await c.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const a = (await c.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24", AvailabilityZone: "ap-northeast-2a" }))).Subnet!.SubnetId!;
  const cc = (await c.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.2.0/24", AvailabilityZone: "ap-northeast-2c" }))).Subnet!.SubnetId!;
  const sg = (await c.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "web", Description: "web" }))).GroupId!;
  const instance = (await c.send(new RunInstancesCommand({ ImageId: "ami-12345678", MinCount: 1, MaxCount: 1, SubnetId: a, SecurityGroupIds: [sg] }))).Instances![0]!.InstanceId!;
  return { vpcId, a, c: cc, sg, instance };
}

/** The HTTP status and code of a rejected call. */
async function failure(p: Promise<unknown>): Promise<[number | undefined, string]> {
  try {
    await p;
  } catch (e) {
    const err = e as { $metadata?: { httpStatusCode?: number }; Code?: string; name: string };
    return [err.$metadata?.httpStatusCode, err.Code ?? err.name];
  }
  throw new Error("expected the call to fail");
}

async function awsCli<T>(server: TestServer, ...args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)("aws", ["--endpoint-url", server.endpoint, "--output", "json", "elbv2", ...args], {
    encoding: "utf8",
    env: { ...process.env, AWS_ACCESS_KEY_ID: "111111111111", AWS_SECRET_ACCESS_KEY: "x", AWS_DEFAULT_REGION: REGION, AWS_PAGER: "", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" },
  });
  return (stdout.trim() ? JSON.parse(stdout) : {}) as T;
}

async function nlb(lb: ElasticLoadBalancingV2Client, name: string, subnets: string[]): Promise<string> {
  return (await lb.send(new CreateLoadBalancerCommand({ Name: name, Type: "network", Scheme: "internal", Subnets: subnets }))).LoadBalancers![0]!.LoadBalancerArn!;
}

test("ELBv2: an internal NLB, a target group, a listener; target health follows the security group; delete in order", async () => {
  const server = await startTestServer();
  try {
    const c = ec2(server);
    const lb = elbv2(server);
    const n = await network(c);
    const created = (await lb.send(new CreateLoadBalancerCommand({ Name: "web", Type: "network", Scheme: "internal", Subnets: [n.a], Tags: [{ Key: "env", Value: "dev" }] }))).LoadBalancers![0]!;
    assert.equal(created.State!.Code, "provisioning");
    const arn = created.LoadBalancerArn!;
    assert.match(arn, /^arn:aws:elasticloadbalancing:ap-northeast-2:111111111111:loadbalancer\/net\/web\/[0-9a-f]{16}$/);
    const [described] = (await lb.send(new DescribeLoadBalancersCommand({ Names: ["web"] }))).LoadBalancers!;
    assert.equal(described!.State!.Code, "active");
    assert.equal(described!.DNSName, `web-${arn.slice(-16)}.elb.ap-northeast-2.amazonaws.com`);
    assert.equal(described!.CanonicalHostedZoneId, "ZIBE1TIR4HY56");
    assert.deepEqual([described!.Type, described!.Scheme, described!.VpcId, described!.IpAddressType], ["network", "internal", n.vpcId, "ipv4"]);
    assert.deepEqual(described!.AvailabilityZones, [{ ZoneName: "ap-northeast-2a", SubnetId: n.a, LoadBalancerAddresses: [] }]);
    const enis = (await c.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "interface-type", Values: ["network_load_balancer"] }] }))).NetworkInterfaces!;
    assert.deepEqual(enis.map((e) => [e.Description, e.RequesterId, e.RequesterManaged, e.SubnetId]), [[`ELB net/web/${arn.slice(-16)}`, "amazon-elb", true, n.a]]);

    const tgArn = (await lb.send(new CreateTargetGroupCommand({ Name: "web", Protocol: "TCP", Port: 80, VpcId: n.vpcId }))).TargetGroups![0]!.TargetGroupArn!;
    await lb.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: n.instance }] }));
    let health = (await lb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions!;
    assert.deepEqual(health, [{ Target: { Id: n.instance, Port: 80 }, HealthCheckPort: "80", TargetHealth: { State: "unused", Reason: "Target.NotInUse", Description: "Target group is not configured to receive traffic from the load balancer" } }]);
    const listener = (await lb.send(new CreateListenerCommand({ LoadBalancerArn: arn, Port: 80, Protocol: "TCP", DefaultActions: [{ Type: "forward", TargetGroupArn: tgArn }] }))).Listeners![0]!;
    assert.deepEqual(listener.DefaultActions, [{ Type: "forward", TargetGroupArn: tgArn, ForwardConfig: { TargetGroups: [{ TargetGroupArn: tgArn, Weight: 1 }], TargetGroupStickinessConfig: { Enabled: false } } }]);
    health = (await lb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions!;
    assert.deepEqual([health[0]!.TargetHealth!.State, health[0]!.TargetHealth!.Reason], ["unhealthy", "Target.FailedHealthChecks"]);
    await c.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: n.sg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "10.0.0.0/16" }] }] }));
    health = (await lb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn, Targets: [{ Id: n.instance }, { Id: "i-0123456789abcdef0" }] }))).TargetHealthDescriptions!;
    assert.deepEqual(health.map((h) => [h.Target!.Id, h.TargetHealth!.State, h.TargetHealth!.Reason]), [[n.instance, "healthy", undefined], ["i-0123456789abcdef0", "unused", "Target.NotRegistered"]]);

    const [tg] = (await lb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: arn }))).TargetGroups!;
    assert.deepEqual([tg!.TargetGroupArn, tg!.LoadBalancerArns, tg!.HealthCheckProtocol, tg!.HealthCheckPort, tg!.HealthCheckIntervalSeconds, tg!.HealthCheckTimeoutSeconds, tg!.HealthyThresholdCount, tg!.UnhealthyThresholdCount, tg!.TargetType],
      [tgArn, [arn], "TCP", "traffic-port", 30, 10, 5, 2, "instance"]);
    const modified = (await lb.send(new ModifyTargetGroupCommand({ TargetGroupArn: tgArn, HealthCheckProtocol: "HTTP", HealthCheckPath: "/health" }))).TargetGroups![0]!;
    assert.deepEqual([modified.HealthCheckPath, modified.Matcher], ["/health", { HttpCode: "200-399" }]);
    assert.deepEqual((await lb.send(new DescribeListenersCommand({ LoadBalancerArn: arn }))).Listeners!.map((l) => [l.ListenerArn, l.Port, l.Protocol]), [[listener.ListenerArn, 80, "TCP"]]);
    assert.equal((await lb.send(new ModifyListenerCommand({ ListenerArn: listener.ListenerArn!, Port: 8080 }))).Listeners![0]!.Port, 8080);

    const attrs = (await lb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }))).Attributes!;
    assert.ok(attrs.some((x) => x.Key === "load_balancing.cross_zone.enabled" && x.Value === "false"));
    await lb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: [{ Key: "deletion_protection.enabled", Value: "true" }] }));
    assert.deepEqual(await failure(lb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn }))), [400, "OperationNotPermitted"]);
    await lb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: [{ Key: "deletion_protection.enabled", Value: "false" }] }));
    const tgAttrs = (await lb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tgArn, Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "10" }] }))).Attributes!;
    assert.ok(tgAttrs.some((x) => x.Key === "deregistration_delay.timeout_seconds" && x.Value === "10"));
    assert.ok((await lb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tgArn }))).Attributes!.some((x) => x.Key === "preserve_client_ip.enabled" && x.Value === "true"));

    await lb.send(new AddTagsCommand({ ResourceArns: [arn, tgArn, listener.ListenerArn!], Tags: [{ Key: "team", Value: "net" }] }));
    await lb.send(new RemoveTagsCommand({ ResourceArns: [arn], TagKeys: ["env"] }));
    const tags = (await lb.send(new DescribeTagsCommand({ ResourceArns: [arn, listener.ListenerArn!] }))).TagDescriptions!;
    assert.deepEqual(tags, [{ ResourceArn: arn, Tags: [{ Key: "team", Value: "net" }] }, { ResourceArn: listener.ListenerArn, Tags: [{ Key: "team", Value: "net" }] }]);

    await lb.send(new SetSubnetsCommand({ LoadBalancerArn: arn, Subnets: [n.a, n.c] }));
    assert.equal((await lb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] }))).LoadBalancers![0]!.AvailabilityZones!.length, 2);
    assert.deepEqual(await failure(lb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tgArn }))), [400, "ResourceInUse"]);
    await lb.send(new DeregisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: n.instance }] }));
    await lb.send(new DeleteListenerCommand({ ListenerArn: listener.ListenerArn! }));
    await lb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tgArn }));
    await lb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn }));
    assert.deepEqual((await lb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers, []);
    assert.deepEqual((await c.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "interface-type", Values: ["network_load_balancer"] }] }))).NetworkInterfaces, []);
  } finally {
    await server.close();
  }
});

test("ELBv2: every error by its code, HTTP 400, and the world unchanged", async () => {
  const server = await startTestServer();
  try {
    const c = ec2(server);
    const lb = elbv2(server);
    const n = await network(c);
    const arn = await nlb(lb, "web", [n.a]);
    const tgArn = (await lb.send(new CreateTargetGroupCommand({ Name: "web", Protocol: "TCP", Port: 80, VpcId: n.vpcId }))).TargetGroups![0]!.TargetGroupArn!;
    const udpArn = (await lb.send(new CreateTargetGroupCommand({ Name: "udp", Protocol: "UDP", Port: 53, VpcId: n.vpcId }))).TargetGroups![0]!.TargetGroupArn!;
    const tcp2Arn = (await lb.send(new CreateTargetGroupCommand({ Name: "tcp2", Protocol: "TCP", Port: 81, VpcId: n.vpcId }))).TargetGroups![0]!.TargetGroupArn!;
    await lb.send(new CreateListenerCommand({ LoadBalancerArn: arn, Port: 80, Protocol: "TCP", DefaultActions: [{ Type: "forward", TargetGroupArn: tgArn }] }));
    const otherLb = await nlb(lb, "other", [n.a]);
    const look = async (): Promise<unknown> => [
      (await lb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers, (await lb.send(new DescribeTargetGroupsCommand({}))).TargetGroups,
      (await lb.send(new DescribeListenersCommand({ LoadBalancerArn: arn }))).Listeners,
    ];
    const before = await look();
    const missingTg = tgArn.replace(/[0-9a-f]{16}$/, "0000000000000000");
    // Thunks, so that each call runs alone and in order.
    const cases: [() => Promise<unknown>, string][] = [
      [() => lb.send(new CreateLoadBalancerCommand({ Name: "-bad", Type: "network", Scheme: "internal", Subnets: [n.a] })), "ValidationError"],
      [() => lb.send(new CreateLoadBalancerCommand({ Name: "alb", Subnets: [n.a, n.c] })), "ValidationError"],
      [() => lb.send(new CreateLoadBalancerCommand({ Name: "web", Type: "network", Scheme: "internal", Subnets: [n.c] })), "DuplicateLoadBalancerName"],
      [() => lb.send(new CreateLoadBalancerCommand({ Name: "x", Type: "network", Scheme: "internal", Subnets: ["subnet-0123456789abcdef0"] })), "SubnetNotFound"],
      [() => lb.send(new CreateLoadBalancerCommand({ Name: "x", Type: "network", Subnets: [n.a] })), "InvalidSubnet"],
      [() => lb.send(new CreateLoadBalancerCommand({ Name: "x", Type: "network", Scheme: "internal", Subnets: [n.a], SecurityGroups: ["sg-0123456789abcdef0"] })), "InvalidSecurityGroup"],
      [() => lb.send(new CreateLoadBalancerCommand({ Name: "x", Type: "network", Scheme: "internal", SubnetMappings: [{ SubnetId: n.a, AllocationId: "eipalloc-0123456789abcdef0" }] })), "InvalidConfigurationRequest"],
      [() => lb.send(new DescribeLoadBalancersCommand({ Names: ["nope"] })), "LoadBalancerNotFound"],
      [() => lb.send(new DescribeLoadBalancersCommand({ PageSize: 401 })), "ValidationError"],
      [() => lb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: ["not-an-arn"] })), "ValidationError"],
      [() => lb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: [{ Key: "idle_timeout.timeout_seconds", Value: "60" }] })), "InvalidConfigurationRequest"],
      [() => lb.send(new CreateTargetGroupCommand({ Name: "web", Protocol: "TCP", Port: 81, VpcId: n.vpcId })), "DuplicateTargetGroupName"],
      [() => lb.send(new CreateTargetGroupCommand({ Name: "x", Protocol: "TCP", Port: 80, VpcId: "vpc-0123456789abcdef0" })), "ValidationError"],
      [() => lb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [missingTg] })), "TargetGroupNotFound"],
      [() => lb.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: "i-0123456789abcdef0" }] })), "InvalidTarget"],
      [() => lb.send(new DeregisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: n.instance }] })), "InvalidTarget"],
      [() => lb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tgArn, Attributes: [{ Key: "target_failover.on_unhealthy", Value: "rebalance" }] })), "InvalidConfigurationRequest"],
      [() => lb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tgArn })), "ResourceInUse"],
      [() => lb.send(new CreateListenerCommand({ LoadBalancerArn: arn, Port: 80, Protocol: "TCP", DefaultActions: [{ Type: "forward", TargetGroupArn: tcp2Arn }] })), "DuplicateListener"],
      [() => lb.send(new CreateListenerCommand({ LoadBalancerArn: arn, Port: 53, Protocol: "TCP", DefaultActions: [{ Type: "forward", TargetGroupArn: udpArn }] })), "IncompatibleProtocols"],
      [() => lb.send(new CreateListenerCommand({ LoadBalancerArn: otherLb, Port: 80, Protocol: "TCP", DefaultActions: [{ Type: "forward", TargetGroupArn: tgArn }] })), "TargetGroupAssociationLimit"],
      [() => lb.send(new CreateListenerCommand({ LoadBalancerArn: arn, Port: 81, Protocol: "TCP", DefaultActions: [{ Type: "forward", TargetGroupArn: missingTg }] })), "TargetGroupNotFound"],
      [() => lb.send(new CreateListenerCommand({ LoadBalancerArn: arn, Port: 443, Protocol: "TLS", DefaultActions: [{ Type: "forward", TargetGroupArn: tgArn }] })), "CertificateNotFound"],
      [() => lb.send(new DescribeListenersCommand({ ListenerArns: [arn.replace(":loadbalancer/", ":listener/") + "/0000000000000000"] })), "ListenerNotFound"],
      [() => lb.send(new AddTagsCommand({ ResourceArns: [arn], Tags: [{ Key: "a", Value: "1" }, { Key: "a", Value: "2" }] })), "DuplicateTagKeys"],
      [() => lb.send(new AddTagsCommand({ ResourceArns: [arn], Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" })) })), "TooManyTags"],
    ];
    for (const [call, code] of cases) assert.deepEqual(await failure(call()), [400, code], code);
    assert.deepEqual(await look(), before);
  } finally {
    await server.close();
  }
});

test("ELBv2: two accounts do not see each other's load balancers; Marker paging", async () => {
  const server = await startTestServer();
  try {
    const n = await network(ec2(server));
    const a = elbv2(server);
    const b = elbv2(server, "222222222222");
    const arns = [await nlb(a, "one", [n.a]), await nlb(a, "two", [n.a]), await nlb(a, "three", [n.a])];
    assert.deepEqual((await b.send(new DescribeLoadBalancersCommand({}))).LoadBalancers, []);
    assert.equal(await errorCode(b.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arns[0]!] }))), "LoadBalancerNotFound");
    assert.equal(await errorCode(b.send(new DescribeTagsCommand({ ResourceArns: [arns[0]!] }))), "LoadBalancerNotFound");
    assert.equal(await errorCode(b.send(new CreateLoadBalancerCommand({ Name: "mine", Type: "network", Scheme: "internal", Subnets: [n.a] }))), "SubnetNotFound");
    await b.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arns[0]! }));
    assert.equal((await a.send(new DescribeLoadBalancersCommand({}))).LoadBalancers!.length, 3);

    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await a.send(new DescribeLoadBalancersCommand({ PageSize: 2, ...(marker ? { Marker: marker } : {}) }));
      seen.push(...page.LoadBalancers!.map((x) => x.LoadBalancerArn!));
      marker = page.NextMarker;
    } while (marker);
    assert.deepEqual(seen, arns);
  } finally {
    await server.close();
  }
});

test("ELBv2 through aws-cli: an NLB with a target group, a registered instance and a listener", async () => {
  const server = await startTestServer();
  try {
    const n = await network(ec2(server));
    const lb = await awsCli<{ LoadBalancers: { LoadBalancerArn: string; DNSName: string }[] }>(server, "create-load-balancer", "--name", "cli", "--type", "network", "--scheme", "internal", "--subnets", n.a);
    const arn = lb.LoadBalancers[0]!.LoadBalancerArn;
    const tg = await awsCli<{ TargetGroups: { TargetGroupArn: string }[] }>(server, "create-target-group", "--name", "cli", "--protocol", "TCP", "--port", "80", "--vpc-id", n.vpcId);
    const tgArn = tg.TargetGroups[0]!.TargetGroupArn;
    await awsCli(server, "register-targets", "--target-group-arn", tgArn, "--targets", `Id=${n.instance}`);
    await awsCli(server, "create-listener", "--load-balancer-arn", arn, "--protocol", "TCP", "--port", "80", "--default-actions", `Type=forward,TargetGroupArn=${tgArn}`);
    const health = await awsCli<{ TargetHealthDescriptions: { Target: { Id: string }; TargetHealth: { State: string; Reason: string } }[] }>(server, "describe-target-health", "--target-group-arn", tgArn);
    assert.deepEqual(health.TargetHealthDescriptions.map((h) => [h.Target.Id, h.TargetHealth.State, h.TargetHealth.Reason]), [[n.instance, "unhealthy", "Target.FailedHealthChecks"]]);
    const failed = await awsCli(server, "create-load-balancer", "--name", "cli", "--type", "network", "--scheme", "internal", "--subnets", n.c).then(() => "", (e: { stderr: string }) => e.stderr);
    assert.match(failed, /\(DuplicateLoadBalancerName\).*same name 'cli'/);
  } finally {
    await server.close();
  }
});
