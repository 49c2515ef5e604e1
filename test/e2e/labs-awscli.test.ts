// Seed labs 1 and 2 built purely through aws-cli against a running `vpclab up`, then observed
// the ways a user would: vpclab dig/trace on the same data directory, real DNS queries to the
// VPC's resolver port, and a Reachability Analyzer analysis through the API.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { Resolver } from "node:dns/promises";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type {
  CreateInternetGatewayResult, CreateNetworkInsightsPathResult, CreateRouteResult, CreateRouteTableResult, CreateSecurityGroupResult,
  CreateSubnetResult, CreateVpcEndpointResult, CreateVpcResult, DescribeNetworkInsightsAnalysesResult, DescribeNetworkInterfacesResult,
  DescribeRouteTablesResult, DescribeVpcAttributeResult, DescribeVpcEndpointsResult, Reservation, StartNetworkInsightsAnalysisResult,
} from "@aws-sdk/client-ec2";
import type { Trace } from "../../src/analysis/types.js";
import { BIN, ROOT, type ServerProcess, startProcess } from "./process.js";

/** aws-cli prints the same PascalCase shapes the JavaScript SDK types describe. */
function awsCli(server: ServerProcess, account: string): <T = Record<string, unknown>>(...args: string[]) => T {
  return <T>(...args: string[]): T => {
    const out = execFileSync("aws", ["--endpoint-url", server.endpoint, "--output", "json", ...args], {
      encoding: "utf8",
      env: { ...process.env, AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "x", AWS_DEFAULT_REGION: "ap-northeast-2", AWS_PAGER: "", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" },
    });
    return (out.trim() ? JSON.parse(out) : {}) as T;
  };
}

function awsFails(server: ServerProcess, ...args: string[]): string {
  const r = spawnSync("aws", ["--endpoint-url", server.endpoint, ...args], {
    encoding: "utf8",
    env: { ...process.env, AWS_ACCESS_KEY_ID: "111111111111", AWS_SECRET_ACCESS_KEY: "x", AWS_DEFAULT_REGION: "ap-northeast-2", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" },
  });
  assert.notEqual(r.status, 0, `expected aws ${args.join(" ")} to fail`);
  return /An error occurred \(([^)]+)\)/.exec(r.stderr)?.[1] ?? r.stderr;
}

function vpclab(data: string, ...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, "--data", data, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** A real resolver client (c-ares, as Node's dns module uses) asking a given server. */
async function query(host: string, port: number, name: string): Promise<string[]> {
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([`${host}:${port}`]);
  return resolver.resolve4(name);
}

const traceOf = (data: string, from: string, to: string): Trace => JSON.parse(vpclab(data, "trace", "--from", from, "--to", to, "--output", "json").out) as Trace;

test("labs 1 and 2 through aws-cli alone", async () => {
  const data = join(mkdtempSync(join(tmpdir(), "vpclab-awscli-")), "data");
  const dnsPort = 20000 + Math.floor(Math.random() * 20000);
  const server = await startProcess(["--data", data, "--dns-port", String(dnsPort)]);
  try {
    const aws = awsCli(server, "111111111111");
    // Lab 1, step 1: a VPC with a public and a private subnet, an instance in each.
    const vpc = aws<CreateVpcResult>("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16", "--tag-specifications", "ResourceType=vpc,Tags=[{Key=Name,Value=lab}]").Vpc!.VpcId!;
    const pub = aws<CreateSubnetResult>("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.0.0/24", "--availability-zone", "ap-northeast-2a").Subnet!.SubnetId!;
    const priv = aws<CreateSubnetResult>("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.1.0/24", "--availability-zone", "ap-northeast-2a").Subnet!.SubnetId!;
    const igw = aws<CreateInternetGatewayResult>("ec2", "create-internet-gateway").InternetGateway!.InternetGatewayId!;
    aws("ec2", "attach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc);
    const pubRt = aws<CreateRouteTableResult>("ec2", "create-route-table", "--vpc-id", vpc).RouteTable!.RouteTableId!;
    assert.equal(aws<CreateRouteResult>("ec2", "create-route", "--route-table-id", pubRt, "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", igw).Return, true);
    aws("ec2", "associate-route-table", "--route-table-id", pubRt, "--subnet-id", pub);
    const privRt = aws<CreateRouteTableResult>("ec2", "create-route-table", "--vpc-id", vpc).RouteTable!.RouteTableId!;
    aws("ec2", "associate-route-table", "--route-table-id", privRt, "--subnet-id", priv);
    aws("ec2", "run-instances", "--image-id", "ami-12345678", "--instance-type", "t3.micro", "--network-interfaces", `DeviceIndex=0,SubnetId=${pub},AssociatePublicIpAddress=true`,
      "--tag-specifications", "ResourceType=instance,Tags=[{Key=Name,Value=public-instance}]");
    const privInst = aws<Reservation>("ec2", "run-instances", "--image-id", "ami-12345678", "--instance-type", "t3.micro", "--subnet-id", priv, "--private-ip-address", "10.0.1.103",
      "--tag-specifications", "ResourceType=instance,Tags=[{Key=Name,Value=private-instance}]").Instances![0]!;
    assert.equal(privInst.PrivateIpAddress, "10.0.1.103");

    // Steps 2-3: public S3 answers from both; only the public instance gets through.
    const s3 = "s3.ap-northeast-2.amazonaws.com:443";
    assert.equal(traceOf(data, "public-instance", s3).reachable, true);
    const blocked = traceOf(data, "private-instance", s3);
    assert.equal(blocked.reachable, false);
    assert.deepEqual(blocked.explanations.map((e) => e.code), ["NO_ROUTE_TO_DESTINATION"]);
    assert.equal(blocked.explanations[0]!.component.id, privRt);

    // Step 4: a gateway endpoint on both route tables.
    const gw = aws<CreateVpcEndpointResult>("ec2", "create-vpc-endpoint", "--vpc-id", vpc, "--service-name", "com.amazonaws.ap-northeast-2.s3", "--route-table-ids", pubRt, privRt).VpcEndpoint!;
    assert.equal(gw.VpcEndpointType, "Gateway");
    assert.equal(gw.State, "available");
    const tables = aws<DescribeRouteTablesResult>("ec2", "describe-route-tables", "--route-table-ids", pubRt, privRt).RouteTables!;
    for (const t of tables) {
      assert.ok(t.Routes!.some((r) => r.DestinationPrefixListId === "pl-78a54011" && r.GatewayId === gw.VpcEndpointId), `${t.RouteTableId!} routes the S3 prefix list to the endpoint`);
    }
    assert.equal(awsFails(server, "ec2", "create-vpc-endpoint", "--vpc-id", vpc, "--service-name", "com.amazonaws.ap-northeast-2.s3", "--route-table-ids", pubRt), "RouteAlreadyExists");
    assert.equal(traceOf(data, "private-instance", s3).reachable, true);
    assert.ok(traceOf(data, "public-instance", s3).forward.some((h) => h.component.id === gw.VpcEndpointId), "longest prefix match beats 0.0.0.0/0");
    // Step 5: another Region's S3 does not use the endpoint.
    assert.equal(traceOf(data, "private-instance", "s3.us-east-1.amazonaws.com:443").reachable, false);

    // Lab 2: DNS attributes, then an interface endpoint with private DNS.
    aws("ec2", "modify-vpc-attribute", "--vpc-id", vpc, "--enable-dns-hostnames");
    assert.equal(aws<DescribeVpcAttributeResult>("ec2", "describe-vpc-attribute", "--vpc-id", vpc, "--attribute", "enableDnsHostnames").EnableDnsHostnames?.Value, true);
    const cfn = "cloudformation.ap-northeast-2.amazonaws.com";
    assert.equal(traceOf(data, "private-instance", `${cfn}:443`).reachable, false, "before: public answer, no path");
    const sg = aws<CreateSecurityGroupResult>("ec2", "create-security-group", "--group-name", "endpoint-sg", "--description", "443 from the VPC", "--vpc-id", vpc).GroupId!;
    aws("ec2", "authorize-security-group-ingress", "--group-id", sg, "--protocol", "tcp", "--port", "443", "--cidr", "10.0.0.0/16");
    const ep = aws<CreateVpcEndpointResult>("ec2", "create-vpc-endpoint", "--vpc-id", vpc, "--vpc-endpoint-type", "Interface", "--service-name", "com.amazonaws.ap-northeast-2.cloudformation",
      "--subnet-ids", priv, "--security-group-ids", sg, "--private-dns-enabled").VpcEndpoint!;
    const names = ep.DnsEntries!.map((d) => d.DnsName!);
    assert.ok(names.includes(cfn), "the private DNS name is among the endpoint's DNS entries");
    assert.ok(names.some((n) => /^vpce-[0-9a-f]{17}-[a-z0-9]{8}\.cloudformation\.ap-northeast-2\.vpce\.amazonaws\.com$/.test(n)), "the regional name");
    assert.ok(names.some((n) => /^vpce-[0-9a-f]{17}-[a-z0-9]{8}-ap-northeast-2a\.cloudformation/.test(n)), "the zonal name");
    const eni = aws<DescribeNetworkInterfacesResult>("ec2", "describe-network-interfaces", "--network-interface-ids", ep.NetworkInterfaceIds![0]!).NetworkInterfaces![0]!;
    assert.equal(eni.InterfaceType, "vpc_endpoint");
    // Plain DNS to the VPC's resolver port: the endpoint's address; from outside, the public one.
    const where = JSON.parse(vpclab(data, "dns-address", "lab", "--output", "json").out) as { host: string; port: number };
    assert.equal(where.port, dnsPort + 1, "dns-address finds the running server's DNS port by itself");
    assert.deepEqual(await query(where.host, where.port, cfn), [eni.PrivateIpAddress]);
    assert.notDeepEqual(await query("127.0.0.1", dnsPort, cfn), [eni.PrivateIpAddress]);
    if (spawnSync("dig", ["-v"]).status === 0) {
      const dig = spawnSync("dig", [`@${where.host}`, "-p", String(where.port), "+short", cfn], { encoding: "utf8" });
      assert.equal(dig.stdout.trim(), eni.PrivateIpAddress, "the same answer through dig");
    }
    const after = traceOf(data, "private-instance", `${cfn}:443`);
    assert.equal(after.reachable, true);
    assert.deepEqual(after.dns?.answers.map((a) => a.value), [eni.PrivateIpAddress]);

    // Step 5: without 443 in the endpoint's security group, the trace stops there and says so.
    aws("ec2", "revoke-security-group-ingress", "--group-id", sg, "--protocol", "tcp", "--port", "443", "--cidr", "10.0.0.0/16");
    const denied = traceOf(data, "private-instance", `${cfn}:443`);
    assert.deepEqual(denied.explanations.map((e) => e.code), ["ENI_SG_RULES_MISMATCH"]);
    assert.equal(denied.explanations[0]!.component.id, sg);

    // The same answer from the Reachability Analyzer API.
    const path = aws<CreateNetworkInsightsPathResult>("ec2", "create-network-insights-path", "--source", privInst.InstanceId!, "--destination", ep.VpcEndpointId!, "--protocol", "tcp", "--destination-port", "443").NetworkInsightsPath!;
    const analysis = aws<StartNetworkInsightsAnalysisResult>("ec2", "start-network-insights-analysis", "--network-insights-path-id", path.NetworkInsightsPathId!).NetworkInsightsAnalysis!;
    assert.equal(analysis.Status, "succeeded");
    assert.equal(analysis.NetworkPathFound, false);
    assert.ok(analysis.Explanations!.some((e) => e.ExplanationCode === "ENI_SG_RULES_MISMATCH"));
    const described = aws<DescribeNetworkInsightsAnalysesResult>("ec2", "describe-network-insights-analyses", "--network-insights-analysis-ids", analysis.NetworkInsightsAnalysisId!).NetworkInsightsAnalyses![0]!;
    assert.equal(described.NetworkPathFound, false);

    // Restart: everything is still there.
    await server.stop();
    const again = await startProcess(["--data", data]);
    try {
      const aws2 = awsCli(again, "111111111111");
      assert.equal(aws2<DescribeVpcEndpointsResult>("ec2", "describe-vpc-endpoints").VpcEndpoints!.length, 2);
      assert.equal(traceOf(data, "private-instance", s3).reachable, true);
    } finally {
      await again.stop();
    }
  } finally {
    await server.stop();
  }
});
