// Builds the large topology of issue 2 through the project's real control operations (the same
// functions the API server and the lab files call), timing every operation as it goes so that a
// slow build can name the operation that made it slow.
//
// The shape, per VPC (everything scales with the number of VPCs):
//   - a /16 (10.<n mod 256>.0.0/16: VPCs are not connected, so their CIDRs may overlap), with
//     enableDnsHostnames on (private DNS for interface endpoints needs it);
//   - an internet gateway and a 0.0.0.0/0 route in the main route table, so that traces to
//     public service addresses walk on past the route table;
//   - 10 /20 subnets spread over the Region's four AZs, 10 instances in each (100 per VPC);
//   - 2 security groups carrying 50 authorized rules: "app" (30 ingress rules, on the instances)
//     and "vpce" (20 ingress rules, on the endpoints);
//   - 10 interface endpoints with private DNS, each for a different service and each with ENIs
//     in 2 subnets of different AZs. Even-numbered VPCs include S3 among their 10 services, so
//     S3 names resolve privately there and publicly (to the internet gateway) elsewhere.
import { performance } from "node:perf_hooks";
import { services as catalogServices } from "../src/model/catalog/index.js";
import { IdGenerator } from "../src/model/ids.js";
import { World } from "../src/model/world.js";
import type { Subnet } from "../src/model/types.js";
import type { Ctx } from "../src/control/context.js";
import { createVpc, modifyVpcAttribute } from "../src/control/vpcs.js";
import { createSubnet } from "../src/control/subnets.js";
import { authorize, createSecurityGroup, type IpPermission } from "../src/control/securityGroups.js";
import { runInstances } from "../src/control/instances.js";
import { createVpcEndpoint } from "../src/control/endpoints.js";
import { attachInternetGateway, createInternetGateway } from "../src/control/gateways.js";
import { createRoute } from "../src/control/routeTables.js";

export const REGION = "ap-northeast-2";
export const ACCOUNT = "111122223333";
export const SEED = "bench";

/** The full-size shape; `--scale` multiplies the number of VPCs and keeps everything per VPC. */
export const FULL = { vpcs: 1000, subnets: 10_000, instances: 100_000, interfaceEndpoints: 10_000, securityGroupRules: 50_000 };
export const PER_VPC = {
  subnets: 10,
  instancesPerSubnet: 10,
  interfaceEndpoints: 10,
  endpointSubnets: 2,
  appIngressRules: 30,
  vpceIngressRules: 20,
};

const AZS = ["a", "b", "c", "d"].map((s) => `${REGION}${s}`);
/** Ports the "app" group admits from the VPC's CIDR (with 443 from itself and 22 from 10/8: 30 rules). */
export const APP_PORTS: readonly number[] = Array.from({ length: PER_VPC.appIngressRules - 2 }, (_, i) => 8000 + i);

/** Interface services that publish private DNS names, S3 apart (it is placed in every other VPC). */
function interfaceServices(): { code: string; privateDnsNames: string[] }[] {
  return catalogServices()
    .filter((s) => s.types.includes("Interface") && s.privateDnsNames.length > 0)
    .map((s) => ({ code: s.code, privateDnsNames: s.privateDnsNames }));
}

/** Per-operation timing: calls, total, and the mean in the first and last tenth of the build. */
export interface OpStats { calls: number; totalMs: number; firstDecile: { calls: number; ms: number }; lastDecile: { calls: number; ms: number } }

export class OpTimer {
  readonly ops = new Map<string, OpStats>();
  decile = 0;

  time<T>(name: string, fn: () => T): T {
    const t0 = performance.now();
    const out = fn();
    const ms = performance.now() - t0;
    let s = this.ops.get(name);
    if (!s) this.ops.set(name, (s = { calls: 0, totalMs: 0, firstDecile: { calls: 0, ms: 0 }, lastDecile: { calls: 0, ms: 0 } }));
    s.calls += 1;
    s.totalMs += ms;
    if (this.decile === 0) { s.firstDecile.calls += 1; s.firstDecile.ms += ms; }
    if (this.decile === 9) { s.lastDecile.calls += 1; s.lastDecile.ms += ms; }
    return out;
  }
}

/** What the trace phase needs, by VPC: instance ENIs and addresses, and the names endpoints serve. */
export interface BuiltVpc {
  vpcId: string;
  instances: { instanceId: string; eniId: string; ip: string }[];
  /** One resolvable name per interface endpoint's private DNS (wildcards filled in). */
  endpointNames: string[];
  hasS3Endpoint: boolean;
}

export interface BuildResult {
  world: World;
  vpcs: BuiltVpc[];
  timer: OpTimer;
  buildMs: number;
  /** Build time per tenth of the VPCs, to show whether later VPCs cost more than earlier ones. */
  decileMs: number[];
}

export function vpcCount(scale: number): number {
  return Math.max(1, Math.round(FULL.vpcs * scale));
}

/** A name a client would look up for a private DNS pattern: `*.x` becomes `bench.x`. */
function concreteName(pattern: string): string {
  return pattern.replaceAll("{region}", REGION).replace(/^\*\./, "bench.");
}

export function buildTopology(scale: number, onProgress?: (done: number, total: number) => void): BuildResult {
  const world = new World(IdGenerator.fresh(SEED));
  const ctx: Ctx = { world, account: ACCOUNT, region: REGION };
  const timer = new OpTimer();
  const n = vpcCount(scale);
  const all = interfaceServices();
  const s3 = all.find((s) => s.code === "s3");
  const others = all.filter((s) => s.code !== "s3");
  if (!s3 || others.length < PER_VPC.interfaceEndpoints) throw new Error("the catalog lacks the interface services the benchmark needs");
  const vpcs: BuiltVpc[] = [];
  const decileMs: number[] = Array.from({ length: 10 }, () => 0);
  const t0 = performance.now();

  for (let v = 0; v < n; v++) {
    const decile = Math.min(9, Math.floor((v * 10) / n));
    timer.decile = decile;
    const tv = performance.now();
    const octet = v % 256;
    const vpcCidr = `10.${octet}.0.0/16`;
    const vpc = timer.time("createVpc", () => createVpc(ctx, { cidrBlock: vpcCidr, tags: [{ key: "Name", value: `bench-vpc-${v}` }] }));
    timer.time("modifyVpcAttribute", () => modifyVpcAttribute(ctx, vpc.id, "enableDnsHostnames", true));
    const igw = timer.time("createInternetGateway", () => createInternetGateway(ctx, { tags: [{ key: "Name", value: `bench-igw-${v}` }] }));
    timer.time("attachInternetGateway", () => attachInternetGateway(ctx, igw.id, vpc.id));
    timer.time("createRoute", () => createRoute(ctx, { routeTableId: vpc.mainRouteTableId, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }));

    const subnets: Subnet[] = [];
    for (let k = 0; k < PER_VPC.subnets; k++) {
      const cidr = `10.${octet}.${k * 16}.0/20`;
      subnets.push(timer.time("createSubnet", () => createSubnet(ctx, {
        vpcId: vpc.id, cidrBlock: cidr, availabilityZone: AZS[k % AZS.length]!, tags: [{ key: "Name", value: `bench-subnet-${v}-${k}` }],
      })));
    }

    const app = timer.time("createSecurityGroup", () => createSecurityGroup(ctx, { groupName: "app", description: "bench instances", vpcId: vpc.id, tags: [{ key: "Name", value: `bench-app-${v}` }] }));
    const vpce = timer.time("createSecurityGroup", () => createSecurityGroup(ctx, { groupName: "vpce", description: "bench endpoints", vpcId: vpc.id, tags: [{ key: "Name", value: `bench-vpce-${v}` }] }));
    const appPerms: IpPermission[] = [
      { ipProtocol: "tcp", fromPort: 443, toPort: 443, groupIds: [app.id] },
      { ipProtocol: "tcp", fromPort: 22, toPort: 22, ipRanges: [{ cidrIp: "10.0.0.0/8", description: "ssh" }] },
      ...APP_PORTS.map((p): IpPermission => ({ ipProtocol: "tcp", fromPort: p, toPort: p, ipRanges: [{ cidrIp: vpcCidr }] })),
    ];
    const vpcePerms: IpPermission[] = subnets.flatMap((s): IpPermission[] => [
      { ipProtocol: "tcp", fromPort: 443, toPort: 443, ipRanges: [{ cidrIp: s.cidrBlock }] },
      { ipProtocol: "tcp", fromPort: 80, toPort: 80, ipRanges: [{ cidrIp: s.cidrBlock }] },
    ]);
    // One AuthorizeSecurityGroupIngress call per rule, as a script adding rules one at a time does.
    for (const p of appPerms) timer.time("authorize", () => authorize(ctx, app.id, false, [p]));
    for (const p of vpcePerms) timer.time("authorize", () => authorize(ctx, vpce.id, false, [p]));

    const built: BuiltVpc = { vpcId: vpc.id, instances: [], endpointNames: [], hasS3Endpoint: v % 2 === 0 };
    for (const [k, s] of subnets.entries()) {
      const launched = timer.time("runInstances", () => runInstances(ctx, {
        subnetId: s.id, count: PER_VPC.instancesPerSubnet, securityGroupIds: [app.id], tags: [{ key: "Name", value: `bench-i-${v}-${k}` }],
      }));
      for (const i of launched) built.instances.push({ instanceId: i.id, eniId: i.networkInterfaceId, ip: i.privateIpAddress });
    }

    const chosen = [
      ...(built.hasS3Endpoint ? [s3] : []),
      ...Array.from({ length: others.length }, (_, j) => others[(v + j) % others.length]!),
    ].slice(0, PER_VPC.interfaceEndpoints);
    for (const [j, svc] of chosen.entries()) {
      // Subnets j and j+1 (mod 10) are in neighbouring AZs, so never in the same one.
      const subnetIds = Array.from({ length: PER_VPC.endpointSubnets }, (_, m) => subnets[(j + m) % subnets.length]!.id);
      timer.time("createVpcEndpoint", () => createVpcEndpoint(ctx, {
        vpcId: vpc.id, serviceName: `com.amazonaws.${REGION}.${svc.code}`, vpcEndpointType: "Interface",
        subnetIds, securityGroupIds: [vpce.id], privateDnsEnabled: true, tags: [{ key: "Name", value: `bench-vpce-${v}-${svc.code}` }],
      }));
      built.endpointNames.push(concreteName(svc.privateDnsNames[0]!));
    }
    vpcs.push(built);
    decileMs[decile]! += performance.now() - tv;
    onProgress?.(v + 1, n);
  }
  return { world, vpcs, timer, buildMs: performance.now() - t0, decileMs };
}
