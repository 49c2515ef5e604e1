// The world: every resource of every account and region, in maps by id, plus the id generator.
// Control operations mutate it; analysis reads it; state/ saves and loads it.
import { IdGenerator, type IdState } from "./ids.js";
import type {
  ConnectionNotification, ElasticIp, Instance, InternetGateway, NatGateway, NetworkAcl, NetworkInterface, RouteTable,
  SecurityGroup, Subnet, Vpc, VpcEndpoint, VpcEndpointService, VpcPeeringConnection, VpnConnection, VpnGateway,
} from "./types.js";
import type { NetworkInsightsAnalysis, NetworkInsightsPath } from "./insights.js";
import type { Listener, LoadBalancer, TargetGroup } from "./loadBalancing.js";
import type { Bucket, IamPolicy, IamRole, IamUser, Table } from "./access.js";

/**
 * A map by id that also keeps, for resources that live in a VPC, the ids in each VPC. A VPC id
 * never changes once set, so maintaining the index on set and delete is enough; validations
 * such as "no overlapping subnet in this VPC" then cost the VPC's size, not the world's.
 */
export class ResourceMap<T extends { id: string }> extends Map<string, T> {
  private readonly byVpc = new Map<string, Set<string>>();

  override set(id: string, item: T): this {
    super.set(id, item);
    const vpcId = (item as { vpcId?: unknown }).vpcId;
    if (typeof vpcId === "string" && this.byVpc) {
      let ids = this.byVpc.get(vpcId);
      if (!ids) this.byVpc.set(vpcId, (ids = new Set()));
      ids.add(id);
    }
    return this;
  }

  override delete(id: string): boolean {
    const vpcId = (this.get(id) as { vpcId?: unknown } | undefined)?.vpcId;
    if (typeof vpcId === "string") this.byVpc.get(vpcId)?.delete(id);
    return super.delete(id);
  }

  override clear(): void {
    this.byVpc.clear();
    super.clear();
  }

  /** The resources in one VPC. */
  inVpc(vpcId: string): T[] {
    return [...(this.byVpc.get(vpcId) ?? [])].map((id) => this.get(id)!);
  }
}

export interface Collections {
  vpcs: Vpc;
  subnets: Subnet;
  routeTables: RouteTable;
  internetGateways: InternetGateway;
  elasticIps: ElasticIp;
  natGateways: NatGateway;
  securityGroups: SecurityGroup;
  networkAcls: NetworkAcl;
  networkInterfaces: NetworkInterface;
  instances: Instance;
  vpcEndpoints: VpcEndpoint;
  peeringConnections: VpcPeeringConnection;
  vpnGateways: VpnGateway;
  vpnConnections: VpnConnection;
  networkInsightsPaths: NetworkInsightsPath;
  networkInsightsAnalyses: NetworkInsightsAnalysis;
  loadBalancers: LoadBalancer;
  targetGroups: TargetGroup;
  listeners: Listener;
  endpointServices: VpcEndpointService;
  connectionNotifications: ConnectionNotification;
  buckets: Bucket;
  tables: Table;
  iamUsers: IamUser;
  iamRoles: IamRole;
  iamPolicies: IamPolicy;
}
export type CollectionName = keyof Collections;

export const COLLECTION_NAMES: readonly CollectionName[] = [
  "vpcs", "subnets", "routeTables", "internetGateways", "elasticIps", "natGateways", "securityGroups",
  "networkAcls", "networkInterfaces", "instances", "vpcEndpoints", "peeringConnections", "vpnGateways",
  "vpnConnections", "networkInsightsPaths", "networkInsightsAnalyses", "loadBalancers", "targetGroups", "listeners",
  "endpointServices", "connectionNotifications", "buckets", "tables", "iamUsers", "iamRoles", "iamPolicies",
];

/** What a ClientToken was first used with, so that a retry gets the original answer (see protocol/). */
export interface ClientTokenRecord { hash: string; result: unknown }

/** The JSON form of a world: what checkpoints and exports hold. */
export type WorldSnapshot = {
  format: "vpclab-world/1"; ids: IdState; dnsRotation: Record<string, number>; clientTokens?: Record<string, ClientTokenRecord>;
  /** The next VPC DNS index (absent in older snapshots). */
  dnsIndex?: number;
} & {
  [K in CollectionName]: Collections[K][];
};

export class World {
  readonly vpcs = new ResourceMap<Vpc>();
  readonly subnets = new ResourceMap<Subnet>();
  readonly routeTables = new ResourceMap<RouteTable>();
  readonly internetGateways = new ResourceMap<InternetGateway>();
  readonly elasticIps = new ResourceMap<ElasticIp>();
  readonly natGateways = new ResourceMap<NatGateway>();
  readonly securityGroups = new ResourceMap<SecurityGroup>();
  readonly networkAcls = new ResourceMap<NetworkAcl>();
  readonly networkInterfaces = new ResourceMap<NetworkInterface>();
  readonly instances = new ResourceMap<Instance>();
  readonly vpcEndpoints = new ResourceMap<VpcEndpoint>();
  readonly peeringConnections = new ResourceMap<VpcPeeringConnection>();
  readonly vpnGateways = new ResourceMap<VpnGateway>();
  readonly vpnConnections = new ResourceMap<VpnConnection>();
  readonly networkInsightsPaths = new ResourceMap<NetworkInsightsPath>();
  readonly networkInsightsAnalyses = new ResourceMap<NetworkInsightsAnalysis>();
  readonly loadBalancers = new ResourceMap<LoadBalancer>();
  readonly targetGroups = new ResourceMap<TargetGroup>();
  readonly listeners = new ResourceMap<Listener>();
  readonly endpointServices = new ResourceMap<VpcEndpointService>();
  readonly connectionNotifications = new ResourceMap<ConnectionNotification>();
  /** S3 buckets by name (global), DynamoDB tables by ARN, IAM users, roles and managed policies by ARN. */
  readonly buckets = new ResourceMap<Bucket>();
  readonly tables = new ResourceMap<Table>();
  readonly iamUsers = new ResourceMap<IamUser>();
  readonly iamRoles = new ResourceMap<IamRole>();
  readonly iamPolicies = new ResourceMap<IamPolicy>();
  /** Per-name query counters, so that multi-address public names rotate like real S3. */
  readonly dnsRotation = new Map<string, number>();
  /** The next Vpc.dnsIndex to give (vpclab's DNS server listens on base port + index); indexes are never reused. */
  dnsIndex = 1;
  /** Idempotency records by "account region action token". */
  readonly clientTokens = new Map<string, ClientTokenRecord>();
  /** Bumped by the store on every change, so caches (network views, the DNS server) know to rebuild. Not saved. */
  version = 0;

  constructor(readonly ids: IdGenerator = IdGenerator.fresh()) {}

  collection<K extends CollectionName>(name: K): ResourceMap<Collections[K]> {
    return this[name] as unknown as ResourceMap<Collections[K]>;
  }

  toSnapshot(): WorldSnapshot {
    const snap = {
      format: "vpclab-world/1", ids: { ...this.ids.state }, dnsRotation: Object.fromEntries(this.dnsRotation),
      clientTokens: Object.fromEntries(this.clientTokens), dnsIndex: this.dnsIndex,
    } as WorldSnapshot;
    for (const name of COLLECTION_NAMES) {
      (snap as Record<CollectionName, unknown[]>)[name] = [...this.collection(name).values()];
    }
    return snap;
  }

  static fromSnapshot(snap: WorldSnapshot): World {
    if (snap.format !== "vpclab-world/1") throw new Error(`unknown world snapshot format '${String(snap.format)}'`);
    const world = new World(new IdGenerator({ ...snap.ids }));
    for (const name of COLLECTION_NAMES) {
      const map = world.collection(name) as Map<string, { id: string }>;
      for (const item of (snap[name] ?? []) as { id: string }[]) map.set(item.id, item);
    }
    for (const [k, v] of Object.entries(snap.dnsRotation ?? {})) world.dnsRotation.set(k, v);
    // Snapshots from before DNS indexes: VPCs without one get the next ones, in map order.
    const vpcs = [...world.vpcs.values()];
    world.dnsIndex = vpcs.reduce((next, v) => Math.max(next, (v.dnsIndex ?? 0) + 1), snap.dnsIndex ?? 1);
    for (const v of vpcs) v.dnsIndex ??= world.dnsIndex++;
    for (const [k, v] of Object.entries(snap.clientTokens ?? {})) world.clientTokens.set(k, v);
    return world;
  }

  /** A deep, independent copy: lab files apply to a clone and replace the world only on success. */
  clone(): World {
    return World.fromSnapshot(structuredClone(this.toSnapshot()));
  }
}
