// PrivateLink through the real AWS SDK for JavaScript and aws-cli, provider and consumer in two
// accounts against one server: seed lab 3 steps 2-4 and 6 through the API, private DNS,
// notifications, Gateway Load Balancer endpoints as route targets, and every error by code.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  AcceptVpcEndpointConnectionsCommand, CreateRouteCommand, CreateRouteTableCommand, CreateSubnetCommand, CreateVpcCommand, CreateVpcEndpointCommand,
  CreateVpcEndpointConnectionNotificationCommand, CreateVpcEndpointServiceConfigurationCommand, DeleteRouteCommand,
  DeleteVpcEndpointConnectionNotificationsCommand, DeleteVpcEndpointServiceConfigurationsCommand, DeleteVpcEndpointsCommand,
  DescribeNetworkInterfacesCommand, DescribeRouteTablesCommand, DescribeTagsCommand, DescribeVpcEndpointConnectionNotificationsCommand,
  DescribeVpcEndpointConnectionsCommand, DescribeVpcEndpointServiceConfigurationsCommand, DescribeVpcEndpointServicePermissionsCommand,
  DescribeVpcEndpointServicesCommand, DescribeVpcEndpointsCommand, type EC2Client, ModifyVpcAttributeCommand,
  ModifyVpcEndpointConnectionNotificationCommand, ModifyVpcEndpointServiceConfigurationCommand, ModifyVpcEndpointServicePayerResponsibilityCommand,
  ModifyVpcEndpointServicePermissionsCommand, RejectVpcEndpointConnectionsCommand, StartVpcEndpointServicePrivateDnsVerificationCommand,
} from "@aws-sdk/client-ec2";
import { CreateLoadBalancerCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { REGION, type TestServer, ec2, refused, elbv2, startTestServer } from "../e2e/server.js";

const PROVIDER = "111111111111";
const CONSUMER = "222222222222";


/** aws-cli as an account, asynchronously: execFileSync would block the server in this process. */
async function awsCli<T>(server: TestServer, account: string, ...args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)("aws", ["--endpoint-url", server.endpoint, "--output", "json", "ec2", ...args], {
    encoding: "utf8",
    env: { ...process.env, AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "x", AWS_DEFAULT_REGION: REGION, AWS_PAGER: "", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" },
  });
  return (stdout.trim() ? JSON.parse(stdout) : {}) as T;
}

/** A VPC 10.x.0.0/16 with subnets in 2a and 2c, DNS hostnames on. */
async function vpc(c: EC2Client, second: number): Promise<{ vpcId: string; a: string; c: string }> {
  const vpcId = (await c.send(new CreateVpcCommand({ CidrBlock: `10.${second}.0.0/16` }))).Vpc!.VpcId!;
  await c.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
  const sub = async (n: number, az: string): Promise<string> =>
    (await c.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.${second}.${n}.0/24`, AvailabilityZone: az }))).Subnet!.SubnetId!;
  return { vpcId, a: await sub(1, "ap-northeast-2a"), c: await sub(2, "ap-northeast-2c") };
}

async function loadBalancer(server: TestServer, type: "network" | "gateway", name: string, subnets: string[]): Promise<string> {
  const input = type === "network" ? { Name: name, Type: type, Scheme: "internal" as const, Subnets: subnets } : { Name: name, Type: type, Subnets: subnets };
  return (await elbv2(server, PROVIDER).send(new CreateLoadBalancerCommand(input))).LoadBalancers![0]!.LoadBalancerArn!;
}

test("lab 3 through the SDK: a service behind an NLB, invisible until allowed, pendingAcceptance, accepted, rejected, deleted in order", async () => {
  const server = await startTestServer();
  try {
    const p = ec2(server, PROVIDER);
    const c = ec2(server, CONSUMER);
    const pv = await vpc(p, 1);
    const nlb = await loadBalancer(server, "network", "web-nlb", [pv.a, pv.c]);
    await refused(server, () => p.send(new CreateVpcEndpointServiceConfigurationCommand({})), "InvalidParameter",
      "exactly one of network_load_balancer_arn or gateway_load_balancer_arn is a required member");
    await refused(server, () => p.send(new CreateVpcEndpointServiceConfigurationCommand({ NetworkLoadBalancerArns: ["arn:aws:elasticloadbalancing:x"] })), "InvalidNetworkLoadBalancerArn.Malformed");
    await refused(server, () => c.send(new CreateVpcEndpointServiceConfigurationCommand({ NetworkLoadBalancerArns: [nlb] })), "InvalidNetworkLoadBalancerArn.NotFound");
    await refused(server, () => p.send(new CreateVpcEndpointServiceConfigurationCommand({ NetworkLoadBalancerArns: [nlb], TagSpecifications: [{ ResourceType: "vpc-endpoint", Tags: [] }] })), "InvalidParameterValue");

    const created = await p.send(new CreateVpcEndpointServiceConfigurationCommand({
      NetworkLoadBalancerArns: [nlb], AcceptanceRequired: true, ClientToken: "svc-1",
      TagSpecifications: [{ ResourceType: "vpc-endpoint-service", Tags: [{ Key: "Name", Value: "web-svc" }] }],
    }));
    const svc = created.ServiceConfiguration!;
    const id = svc.ServiceId!;
    const name = `com.amazonaws.vpce.${REGION}.${id}`;
    assert.match(id, /^vpce-svc-[0-9a-f]{17}$/);
    assert.equal(created.ClientToken, "svc-1");
    assert.deepEqual(svc.ServiceType, [{ ServiceType: "Interface" }]);
    assert.deepEqual([svc.ServiceName, svc.ServiceState, svc.AcceptanceRequired, svc.ManagesVpcEndpoints], [name, "Available", true, false]);
    assert.deepEqual(svc.AvailabilityZones, ["ap-northeast-2a", "ap-northeast-2c"]);
    assert.equal(svc.AvailabilityZoneIds!.length, 2);
    assert.deepEqual(svc.NetworkLoadBalancerArns, [nlb]);
    assert.deepEqual(svc.BaseEndpointDnsNames, [`${id}.${REGION}.vpce.amazonaws.com`]);
    assert.deepEqual(svc.SupportedIpAddressTypes, ["ipv4"]);
    assert.deepEqual(svc.SupportedRegions, [{ Region: REGION, ServiceState: "Available" }]);
    assert.deepEqual(svc.Tags, [{ Key: "Name", Value: "web-svc" }]);
    assert.equal((await p.send(new CreateVpcEndpointServiceConfigurationCommand({ NetworkLoadBalancerArns: [nlb], AcceptanceRequired: true, ClientToken: "svc-1",
      TagSpecifications: [{ ResourceType: "vpc-endpoint-service", Tags: [{ Key: "Name", Value: "web-svc" }] }] }))).ServiceConfiguration!.ServiceId, id, "ClientToken retries answer the same service");

    // Not allowed yet: the consumer sees the service exactly as if it did not exist.
    const cv = await vpc(c, 0);
    const iface = { VpcId: cv.vpcId, ServiceName: name, VpcEndpointType: "Interface" as const, SubnetIds: [cv.a, cv.c] };
    await refused(server, () => c.send(new CreateVpcEndpointCommand(iface)), "InvalidServiceName", `The Vpc Endpoint Service '${name}' does not exist`);
    await refused(server, () => c.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: [name] })), "InvalidServiceName");
    assert.ok(!(await c.send(new DescribeVpcEndpointServicesCommand({}))).ServiceNames!.includes(name));
    assert.ok((await p.send(new DescribeVpcEndpointServicesCommand({}))).ServiceNames!.includes(name), "the owner always sees its own service");

    await refused(server, () => p.send(new ModifyVpcEndpointServicePermissionsCommand({ ServiceId: id, AddAllowedPrincipals: ["arn:aws:iam::222222222222:role/path/app"] })), "InvalidPrincipal");
    const perms = await p.send(new ModifyVpcEndpointServicePermissionsCommand({ ServiceId: id, AddAllowedPrincipals: [`arn:aws:iam::${CONSUMER}:root`] }));
    assert.equal(perms.ReturnValue, true);
    assert.deepEqual(perms.AddedPrincipals!.map((a) => [a.PrincipalType, a.Principal, a.ServiceId]), [["Account", `arn:aws:iam::${CONSUMER}:root`, id]]);
    const allowed = (await p.send(new DescribeVpcEndpointServicePermissionsCommand({ ServiceId: id, Filters: [{ Name: "principal-type", Values: ["Account"] }] }))).AllowedPrincipals!;
    assert.deepEqual(allowed.map((a) => a.ServicePermissionId), [perms.AddedPrincipals![0]!.ServicePermissionId]);
    await refused(server, () => c.send(new DescribeVpcEndpointServicePermissionsCommand({ ServiceId: id })), "InvalidVpcEndpointServiceId.NotFound");

    const detail = (await c.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: [name] }))).ServiceDetails![0]!;
    assert.deepEqual([detail.Owner, detail.ServiceType, detail.ServiceRegion, detail.AcceptanceRequired, detail.VpcEndpointPolicySupported, detail.ManagesVpcEndpoints],
      [PROVIDER, [{ ServiceType: "Interface" }], REGION, true, false, false]);
    assert.deepEqual(detail.BaseEndpointDnsNames, [`${id}.${REGION}.vpce.amazonaws.com`]);
    assert.deepEqual(detail.Tags, [], "a consumer does not see the provider's tags");

    // Step 3: the consumer's endpoint waits for the provider.
    await refused(server, () => c.send(new CreateVpcEndpointCommand({ ...iface, VpcEndpointType: undefined })), "InvalidParameter", /does not support Gateway type/);
    await refused(server, () => c.send(new CreateVpcEndpointCommand({ ...iface, PolicyDocument: '{"Statement":[]}' })), "InvalidParameter", /does not support VPC endpoint policies/);
    const ep = (await c.send(new CreateVpcEndpointCommand(iface))).VpcEndpoint!;
    assert.equal(ep.State, "pendingAcceptance");
    assert.equal(ep.PolicyDocument, undefined);
    assert.equal(ep.PrivateDnsEnabled, false, "no private DNS name: the API default leaves it off");
    assert.equal(ep.DnsEntries!.length, 3);
    assert.match(ep.DnsEntries![0]!.DnsName!, new RegExp(`^${ep.VpcEndpointId}-[a-z0-9]{8}\\.${id}\\.${REGION}\\.vpce\\.amazonaws\\.com$`));
    assert.equal(ep.DnsEntries![0]!.HostedZoneId, "Z27UANNT0PRK1T");

    const conns = (await p.send(new DescribeVpcEndpointConnectionsCommand({ Filters: [{ Name: "vpc-endpoint-state", Values: ["pendingAcceptance"] }] }))).VpcEndpointConnections!;
    assert.equal(conns.length, 1);
    const conn = conns[0]!;
    assert.deepEqual([conn.ServiceId, conn.VpcEndpointId, conn.VpcEndpointOwner, conn.VpcEndpointState, conn.IpAddressType, conn.VpcEndpointRegion],
      [id, ep.VpcEndpointId, CONSUMER, "pendingAcceptance", "ipv4", REGION]);
    assert.deepEqual(conn.NetworkLoadBalancerArns, [nlb]);
    assert.deepEqual(conn.DnsEntries, ep.DnsEntries);
    assert.match(conn.VpcEndpointConnectionId!, /^vpce-con-[0-9a-f]{17}$/);
    assert.ok(conn.CreationTimestamp instanceof Date);
    assert.deepEqual((await c.send(new DescribeVpcEndpointConnectionsCommand({}))).VpcEndpointConnections, [], "the consumer provides nothing");
    await refused(server, () => p.send(new DescribeVpcEndpointConnectionsCommand({ MaxResults: 2 })), "InvalidParameterValue");

    // Step 4: the provider accepts; the consumer's endpoint is available.
    await refused(server, () => c.send(new AcceptVpcEndpointConnectionsCommand({ ServiceId: id, VpcEndpointIds: [ep.VpcEndpointId!] })), "InvalidVpcEndpointServiceId.NotFound");
    const accepted = await p.send(new AcceptVpcEndpointConnectionsCommand({ ServiceId: id, VpcEndpointIds: [ep.VpcEndpointId!, "vpce-0123456789abcdef0"] }));
    assert.deepEqual(accepted.Unsuccessful!.map((u) => [u.ResourceId, u.Error!.Code]), [["vpce-0123456789abcdef0", "InvalidVpcEndpoint.NotFound"]]);
    assert.equal((await c.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [ep.VpcEndpointId!] }))).VpcEndpoints![0]!.State, "available");

    // Step 6: the order of clean-up matters.
    const held = await p.send(new DeleteVpcEndpointServiceConfigurationsCommand({ ServiceIds: [id] }));
    assert.deepEqual(held.Unsuccessful!.map((u) => [u.ResourceId, u.Error!.Code, u.Error!.Message]), [[id, "ExistingVpcEndpointConnections", "Service has existing active VPC Endpoint connections!"]]);
    await refused(server, () => p.send(new ModifyVpcEndpointServiceConfigurationCommand({ ServiceId: id, RemoveNetworkLoadBalancerArns: [nlb] })), "ExistingVpcEndpointConnections");
    assert.deepEqual((await p.send(new RejectVpcEndpointConnectionsCommand({ ServiceId: id, VpcEndpointIds: [ep.VpcEndpointId!] }))).Unsuccessful, []);
    assert.equal((await c.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [ep.VpcEndpointId!] }))).VpcEndpoints![0]!.State, "rejected");
    assert.deepEqual((await p.send(new DeleteVpcEndpointServiceConfigurationsCommand({ ServiceIds: [id, "vpce-svc-0123456789abcdef0"] }))).Unsuccessful!.map((u) => u.Error!.Code),
      ["InvalidVpcEndpointService.NotFound"]);
    await refused(server, () => p.send(new DescribeVpcEndpointServiceConfigurationsCommand({ ServiceIds: [id] })), "InvalidVpcEndpointServiceId.NotFound",
      `The VpcEndpointService Id '${id}' does not exist`);
    assert.equal((await c.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [ep.VpcEndpointId!] }))).VpcEndpoints![0]!.State, "rejected", "a rejected endpoint stays until its owner deletes it");
    assert.deepEqual((await c.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [ep.VpcEndpointId!] }))).Unsuccessful, []);
  } finally {
    await server.close();
  }
});

test("private DNS verification, payer responsibility, connection notifications and tags through the SDK", async () => {
  const server = await startTestServer();
  try {
    const p = ec2(server, PROVIDER);
    const c = ec2(server, CONSUMER);
    const pv = await vpc(p, 1);
    const nlb = await loadBalancer(server, "network", "api-nlb", [pv.a]);
    const svc = (await p.send(new CreateVpcEndpointServiceConfigurationCommand({ NetworkLoadBalancerArns: [nlb], AcceptanceRequired: false, PrivateDnsName: "api.example.com" }))).ServiceConfiguration!;
    const id = svc.ServiceId!;
    assert.equal(svc.PrivateDnsName, "api.example.com");
    assert.equal(svc.PrivateDnsNameConfiguration!.State, "pendingVerification");
    assert.equal(svc.PrivateDnsNameConfiguration!.Type, "TXT");
    assert.match(svc.PrivateDnsNameConfiguration!.Value!, /^vpce:/);
    await p.send(new ModifyVpcEndpointServicePermissionsCommand({ ServiceId: id, AddAllowedPrincipals: ["*"] }));
    assert.equal((await c.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: [svc.ServiceName!] }))).ServiceDetails![0]!.PrivateDnsNameVerificationState, "pendingVerification");
    assert.equal((await p.send(new StartVpcEndpointServicePrivateDnsVerificationCommand({ ServiceId: id }))).ReturnValue, true);
    const detail = (await c.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: [svc.ServiceName!] }))).ServiceDetails![0]!;
    assert.deepEqual([detail.PrivateDnsName, detail.PrivateDnsNameVerificationState, detail.PrivateDnsNames], ["api.example.com", "verified", [{ PrivateDnsName: "api.example.com" }]]);

    const topic = `arn:aws:sns:${REGION}:${PROVIDER}:vpce-events`;
    await refused(server, () => p.send(new CreateVpcEndpointConnectionNotificationCommand({ ServiceId: id, ConnectionNotificationArn: "topic", ConnectionEvents: ["Accept"] })), "InvalidParameter");
    await refused(server, () => p.send(new CreateVpcEndpointConnectionNotificationCommand({ ServiceId: "vpce-svc-0123456789abcdef0", ConnectionNotificationArn: topic, ConnectionEvents: ["Accept"] })), "InvalidVpcEndpointServiceId.NotFound");
    const nfn = (await p.send(new CreateVpcEndpointConnectionNotificationCommand({ ServiceId: id, ConnectionNotificationArn: topic, ConnectionEvents: ["Connect"] }))).ConnectionNotification!;
    assert.deepEqual([nfn.ConnectionNotificationType, nfn.ConnectionNotificationState, nfn.ServiceId, nfn.ConnectionEvents], ["Topic", "Enabled", id, ["Connect"]]);
    assert.equal((await p.send(new ModifyVpcEndpointConnectionNotificationCommand({ ConnectionNotificationId: nfn.ConnectionNotificationId!, ConnectionEvents: ["Connect", "Delete"] }))).ReturnValue, true);
    const listed = (await p.send(new DescribeVpcEndpointConnectionNotificationsCommand({ Filters: [{ Name: "service-id", Values: [id] }] }))).ConnectionNotificationSet!;
    assert.deepEqual(listed.map((n) => n.ConnectionEvents), [["Connect", "Delete"]]);
    await refused(server, () => p.send(new DescribeVpcEndpointConnectionNotificationsCommand({ ConnectionNotificationId: "vpce-nfn-0123456789abcdef0" })), "InvalidConnectionNotification");

    // The consumer's endpoint: private DNS is on by default now that the name is verified; auto-accepted.
    const cv = await vpc(c, 0);
    const ep = (await c.send(new CreateVpcEndpointCommand({ VpcId: cv.vpcId, ServiceName: svc.ServiceName!, VpcEndpointType: "Interface", SubnetIds: [cv.a] }))).VpcEndpoint!;
    assert.deepEqual([ep.State, ep.PrivateDnsEnabled], ["pending", true]);
    assert.equal(ep.DnsEntries!.at(-1)!.DnsName, "api.example.com");
    const events = server.store.load().connectionNotifications.get(nfn.ConnectionNotificationId!)!.deliveries.map((d) => d.event);
    assert.deepEqual(events, ["Connect"]);
    const enis = (await c.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ep.NetworkInterfaceIds }))).NetworkInterfaces!;
    assert.deepEqual(enis.map((e) => [e.InterfaceType, e.RequesterManaged]), [["vpc_endpoint", true]]);

    assert.equal((await p.send(new ModifyVpcEndpointServicePayerResponsibilityCommand({ ServiceId: id, PayerResponsibility: "ServiceOwner" }))).ReturnValue, true);
    const conf = (await p.send(new DescribeVpcEndpointServiceConfigurationsCommand({ Filters: [{ Name: "tag-key", Values: ["Name"] }] }))).ServiceConfigurations!;
    assert.deepEqual(conf, [], "no tags yet");
    const byId = (await p.send(new DescribeVpcEndpointServiceConfigurationsCommand({ Filters: [{ Name: "service-id", Values: [id] }] }))).ServiceConfigurations![0]!;
    assert.equal(byId.PayerResponsibility, "ServiceOwner");
    await awsCli(server, PROVIDER, "create-tags", "--resources", id, "--tags", "Key=Name,Value=api");
    const tags = (await p.send(new DescribeTagsCommand({ Filters: [{ Name: "resource-type", Values: ["vpc-endpoint-service"] }] }))).Tags!;
    assert.deepEqual(tags.map((t) => [t.ResourceId, t.Key, t.Value]), [[id, "Name", "api"]]);

    await c.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [ep.VpcEndpointId!] }));
    assert.deepEqual(server.store.load().connectionNotifications.get(nfn.ConnectionNotificationId!)!.deliveries.map((d) => d.event), ["Connect", "Delete"]);
    const gone = await p.send(new DeleteVpcEndpointConnectionNotificationsCommand({ ConnectionNotificationIds: [nfn.ConnectionNotificationId!, "vpce-nfn-0123456789abcdef0"] }));
    assert.deepEqual(gone.Unsuccessful!.map((u) => u.Error!.Code), ["InvalidConnectionNotification"]);
  } finally {
    await server.close();
  }
});

test("Gateway Load Balancer endpoints through the SDK: one subnet, a route target shown as GatewayId, deletable once no route points at it", async () => {
  const server = await startTestServer();
  try {
    const p = ec2(server, PROVIDER);
    const c = ec2(server, CONSUMER);
    const pv = await vpc(p, 1);
    const gwlb = await loadBalancer(server, "gateway", "fw", [pv.a]);
    const svc = (await p.send(new CreateVpcEndpointServiceConfigurationCommand({ GatewayLoadBalancerArns: [gwlb], AcceptanceRequired: false }))).ServiceConfiguration!;
    assert.deepEqual([svc.ServiceType, svc.GatewayLoadBalancerArns, svc.BaseEndpointDnsNames], [[{ ServiceType: "GatewayLoadBalancer" }], [gwlb], undefined]);
    await p.send(new ModifyVpcEndpointServicePermissionsCommand({ ServiceId: svc.ServiceId!, AddAllowedPrincipals: [`arn:aws:iam::${CONSUMER}:user/netops`] }));
    const cv = await vpc(c, 0);
    const gw = { VpcId: cv.vpcId, ServiceName: svc.ServiceName!, VpcEndpointType: "GatewayLoadBalancer" as const };
    await refused(server, () => c.send(new CreateVpcEndpointCommand({ ...gw, SubnetIds: [cv.a, cv.c] })), "InvalidParameter", "A Gateway Load Balancer endpoint needs exactly one subnet.");
    await refused(server, () => c.send(new CreateVpcEndpointCommand({ ...gw, SubnetIds: [cv.c] })), "InvalidParameter", /does not support the availability zone of the subnet/);
    const ep = (await c.send(new CreateVpcEndpointCommand({ ...gw, SubnetIds: [cv.a] }))).VpcEndpoint!;
    assert.deepEqual([ep.VpcEndpointType, ep.State, ep.Groups, ep.DnsEntries], ["GatewayLoadBalancer", "pending", [], []]);
    const eni = (await c.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ep.NetworkInterfaceIds }))).NetworkInterfaces![0]!;
    assert.equal(eni.InterfaceType, "gateway_load_balancer_endpoint");

    const rtb = (await c.send(new CreateRouteTableCommand({ VpcId: cv.vpcId }))).RouteTable!.RouteTableId!;
    await c.send(new CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0", VpcEndpointId: ep.VpcEndpointId! }));
    const routes = (await c.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtb] }))).RouteTables![0]!.Routes!;
    // The Route shape has no VpcEndpointId member: AWS shows the endpoint as the route's GatewayId.
    assert.deepEqual(routes.at(-1), { DestinationCidrBlock: "0.0.0.0/0", GatewayId: ep.VpcEndpointId, Origin: "CreateRoute", State: "active" });
    const held = await c.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [ep.VpcEndpointId!] }));
    assert.deepEqual(held.Unsuccessful!.map((u) => u.Error!.Code), ["DependencyViolation"]);
    await c.send(new DeleteRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0" }));
    assert.deepEqual((await c.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [ep.VpcEndpointId!] }))).Unsuccessful, []);
  } finally {
    await server.close();
  }
});

test("aws-cli: the provider creates, allows, lists and accepts; the consumer connects", async () => {
  const server = await startTestServer();
  try {
    const pv = await vpc(ec2(server, PROVIDER), 1);
    const nlb = await loadBalancer(server, "network", "cli-nlb", [pv.a]);
    type Conf = { ServiceConfiguration: { ServiceId: string; ServiceName: string; AcceptanceRequired: boolean } };
    const svc = (await awsCli<Conf>(server, PROVIDER, "create-vpc-endpoint-service-configuration", "--network-load-balancer-arns", nlb, "--acceptance-required",
      "--tag-specifications", "ResourceType=vpc-endpoint-service,Tags=[{Key=Name,Value=cli-svc}]")).ServiceConfiguration;
    assert.equal(svc.AcceptanceRequired, true);
    await awsCli(server, PROVIDER, "modify-vpc-endpoint-service-permissions", "--service-id", svc.ServiceId, "--add-allowed-principals", `arn:aws:iam::${CONSUMER}:root`);
    const listed = await awsCli<{ ServiceConfigurations: { ServiceId: string }[] }>(server, PROVIDER, "describe-vpc-endpoint-service-configurations", "--filters", "Name=tag:Name,Values=cli-svc");
    assert.deepEqual(listed.ServiceConfigurations.map((s) => s.ServiceId), [svc.ServiceId]);

    const cv = await vpc(ec2(server, CONSUMER), 0);
    const ep = (await awsCli<{ VpcEndpoint: { VpcEndpointId: string; State: string } }>(server, CONSUMER, "create-vpc-endpoint", "--vpc-id", cv.vpcId,
      "--service-name", svc.ServiceName, "--vpc-endpoint-type", "Interface", "--subnet-ids", cv.a)).VpcEndpoint;
    assert.equal(ep.State, "pendingAcceptance");
    const conns = await awsCli<{ VpcEndpointConnections: { VpcEndpointId: string; VpcEndpointOwner: string }[] }>(server, PROVIDER, "describe-vpc-endpoint-connections",
      "--filters", `Name=service-id,Values=${svc.ServiceId}`);
    assert.deepEqual(conns.VpcEndpointConnections.map((x) => [x.VpcEndpointId, x.VpcEndpointOwner]), [[ep.VpcEndpointId, CONSUMER]]);
    const accepted = await awsCli<{ Unsuccessful: unknown[] }>(server, PROVIDER, "accept-vpc-endpoint-connections", "--service-id", svc.ServiceId, "--vpc-endpoint-ids", ep.VpcEndpointId);
    assert.deepEqual(accepted.Unsuccessful, []);
    const after = await awsCli<{ VpcEndpoints: { State: string }[] }>(server, CONSUMER, "describe-vpc-endpoints", "--vpc-endpoint-ids", ep.VpcEndpointId);
    assert.equal(after.VpcEndpoints[0]!.State, "available");
  } finally {
    await server.close();
  }
});
