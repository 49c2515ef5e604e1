// What every control operation gets: the world, and who is asking from where. Also the lookups
// by id that answer in AWS's words (Malformed vs NotFound) and never reveal other accounts' resources.
import { AwsError } from "../model/errors.js";
import type { CollectionName, Collections, World } from "../model/world.js";
import type { Tag } from "../model/types.js";

export interface Ctx {
  world: World;
  account: string;
  region: string;
  /**
   * The live health of real backends ("host:port"), when a data plane is probing them: true up,
   * false down, undefined not known. Only read-only calls (DescribeTargetHealth) may consult it:
   * what changes the world must not depend on it, or the journal would not replay.
   */
  backendHealth?: (address: string) => boolean | undefined;
}

interface Kind { prefix: string; notFound: string; malformed: string; describe: (id: string) => string }

/** ELBv2 resources are named by ARN and answer in ELBv2's words: control/loadBalancers.ts looks them up. */
type ArnCollection = "loadBalancers" | "targetGroups" | "listeners";
/** IAM is global (no Region); buckets and tables are named, not EC2-style ids: control/ for each looks them up. */
export type GlobalCollection = "iamUsers" | "iamRoles" | "iamPolicies";
type AccessCollection = GlobalCollection | "buckets" | "tables";
/** The collections whose resources live in one Region. */
export type RegionalCollection = Exclude<CollectionName, GlobalCollection>;
/** The collections whose resources have EC2-style ids (prefix-hex). */
export type Ec2Collection = Exclude<CollectionName, ArnCollection | AccessCollection>;

const KINDS: Record<Ec2Collection, Kind> = {
  vpcs: { prefix: "vpc", notFound: "InvalidVpcID.NotFound", malformed: "InvalidVpcID.Malformed", describe: (id) => `The vpc ID '${id}' does not exist` },
  subnets: { prefix: "subnet", notFound: "InvalidSubnetID.NotFound", malformed: "InvalidSubnetID.Malformed", describe: (id) => `The subnet ID '${id}' does not exist` },
  routeTables: { prefix: "rtb", notFound: "InvalidRouteTableID.NotFound", malformed: "InvalidRouteTableId.Malformed", describe: (id) => `The routeTable ID '${id}' does not exist` },
  internetGateways: { prefix: "igw", notFound: "InvalidInternetGatewayID.NotFound", malformed: "InvalidInternetGatewayId.Malformed", describe: (id) => `The internetGateway ID '${id}' does not exist` },
  elasticIps: { prefix: "eipalloc", notFound: "InvalidAllocationID.NotFound", malformed: "InvalidAllocationID.Malformed", describe: (id) => `The allocation ID '${id}' does not exist` },
  natGateways: { prefix: "nat", notFound: "NatGatewayNotFound", malformed: "InvalidNatGatewayID.Malformed", describe: (id) => `The Nat Gateway ${id} was not found` },
  securityGroups: { prefix: "sg", notFound: "InvalidGroup.NotFound", malformed: "InvalidGroupId.Malformed", describe: (id) => `The security group '${id}' does not exist` },
  networkAcls: { prefix: "acl", notFound: "InvalidNetworkAclID.NotFound", malformed: "InvalidNetworkAclId.Malformed", describe: (id) => `The networkAcl ID '${id}' does not exist` },
  networkInterfaces: { prefix: "eni", notFound: "InvalidNetworkInterfaceID.NotFound", malformed: "InvalidNetworkInterfaceID.Malformed", describe: (id) => `The networkInterface ID '${id}' does not exist` },
  instances: { prefix: "i", notFound: "InvalidInstanceID.NotFound", malformed: "InvalidInstanceID.Malformed", describe: (id) => `The instance ID '${id}' does not exist` },
  vpcEndpoints: { prefix: "vpce", notFound: "InvalidVpcEndpointId.NotFound", malformed: "InvalidVpcEndpointId.Malformed", describe: (id) => `The Vpc Endpoint Id '${id}' does not exist` },
  peeringConnections: { prefix: "pcx", notFound: "InvalidVpcPeeringConnectionID.NotFound", malformed: "InvalidVpcPeeringConnectionId.Malformed", describe: (id) => `The vpcPeeringConnection ID '${id}' does not exist` },
  vpnGateways: { prefix: "vgw", notFound: "InvalidVpnGatewayID.NotFound", malformed: "InvalidVpnGatewayID.Malformed", describe: (id) => `The vpnGateway ID '${id}' does not exist` },
  vpnConnections: { prefix: "vpn", notFound: "InvalidVpnConnectionID.NotFound", malformed: "InvalidVpnConnectionID.Malformed", describe: (id) => `The vpnConnection ID '${id}' does not exist` },
  networkInsightsPaths: { prefix: "nip", notFound: "InvalidNetworkInsightsPathId.NotFound", malformed: "InvalidNetworkInsightsPathId.Malformed", describe: (id) => `The networkInsightsPath ID '${id}' does not exist` },
  networkInsightsAnalyses: { prefix: "nia", notFound: "InvalidNetworkInsightsAnalysisId.NotFound", malformed: "InvalidNetworkInsightsAnalysisId.Malformed", describe: (id) => `The networkInsightsAnalysis ID '${id}' does not exist` },
  endpointServices: { prefix: "vpce-svc", notFound: "InvalidVpcEndpointServiceId.NotFound", malformed: "InvalidVpcEndpointServiceId.Malformed", describe: (id) => `The VpcEndpointService Id '${id}' does not exist` },
  connectionNotifications: { prefix: "vpce-nfn", notFound: "InvalidConnectionNotification", malformed: "InvalidConnectionNotification", describe: (id) => `The connection notification '${id}' does not exist` },
};

/** The collection an id belongs to, by its prefix (vpc-, subnet-, ...), if any. */
export function collectionOfId(id: string): Ec2Collection | undefined {
  const prefix = id.slice(0, id.lastIndexOf("-"));
  return (Object.keys(KINDS) as Ec2Collection[]).find((name) => KINDS[name].prefix === prefix);
}

/** EC2 ids are the prefix and 8 or 17 hex digits; anything else is Malformed before it is NotFound. */
export function checkIdFormat(name: Ec2Collection, id: string): void {
  const kind = KINDS[name];
  if (!new RegExp(`^${kind.prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`).test(id)) {
    throw new AwsError(kind.malformed, `Invalid id: "${id}" (expecting "${kind.prefix}-...")`);
  }
}

/** The resource if the caller may see it: same account and region (sharing comes later). */
export function find<K extends RegionalCollection>(ctx: Ctx, name: K, id: string): Collections[K] | undefined {
  const r = ctx.world.collection(name).get(id);
  return r && r.ownerId === ctx.account && r.region === ctx.region ? r : undefined;
}

/** The caller's resources of one kind in the caller's Region, in creation order. */
export function owned<K extends RegionalCollection>(ctx: Ctx, kind: K): Collections[K][] {
  const out: Collections[K][] = [];
  for (const r of ctx.world.collection(kind).values()) {
    if (r.ownerId === ctx.account && r.region === ctx.region) out.push(r);
  }
  return out;
}

export function get<K extends Ec2Collection>(ctx: Ctx, name: K, id: string): Collections[K] {
  checkIdFormat(name, id);
  const r = find(ctx, name, id);
  if (!r) throw new AwsError(KINDS[name].notFound, KINDS[name].describe(id));
  return r;
}

export function base(ctx: Ctx, prefix: string, tags: Tag[] = []): { id: string; region: string; ownerId: string; tags: Tag[] } {
  return { id: ctx.world.ids.next(prefix), region: ctx.region, ownerId: ctx.account, tags: tags.map((t) => ({ ...t })) };
}

export function invalidParam(message: string): AwsError {
  return new AwsError("InvalidParameterValue", message);
}
