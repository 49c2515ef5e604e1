// The world: every resource of every account and region, in maps by id, plus the id generator.
// Control operations mutate it; analysis reads it; state/ saves and loads it.
import { IdGenerator, type IdState } from "./ids.js";
import type {
  ElasticIp, Instance, InternetGateway, NatGateway, NetworkAcl, NetworkInterface, RouteTable,
  SecurityGroup, Subnet, Vpc, VpcEndpoint, VpcPeeringConnection, VpnConnection, VpnGateway,
} from "./types.js";

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
}
export type CollectionName = keyof Collections;

export const COLLECTION_NAMES: readonly CollectionName[] = [
  "vpcs", "subnets", "routeTables", "internetGateways", "elasticIps", "natGateways", "securityGroups",
  "networkAcls", "networkInterfaces", "instances", "vpcEndpoints", "peeringConnections", "vpnGateways",
  "vpnConnections",
];

/** The JSON form of a world: what snapshots, exports and the lab state file hold. */
export type WorldSnapshot = { format: "vpclab-world/1"; ids: IdState; dnsRotation: Record<string, number> } & {
  [K in CollectionName]: Collections[K][];
};

export class World {
  readonly vpcs = new Map<string, Vpc>();
  readonly subnets = new Map<string, Subnet>();
  readonly routeTables = new Map<string, RouteTable>();
  readonly internetGateways = new Map<string, InternetGateway>();
  readonly elasticIps = new Map<string, ElasticIp>();
  readonly natGateways = new Map<string, NatGateway>();
  readonly securityGroups = new Map<string, SecurityGroup>();
  readonly networkAcls = new Map<string, NetworkAcl>();
  readonly networkInterfaces = new Map<string, NetworkInterface>();
  readonly instances = new Map<string, Instance>();
  readonly vpcEndpoints = new Map<string, VpcEndpoint>();
  readonly peeringConnections = new Map<string, VpcPeeringConnection>();
  readonly vpnGateways = new Map<string, VpnGateway>();
  readonly vpnConnections = new Map<string, VpnConnection>();
  /** Per-name query counters, so that multi-address public names rotate like real S3. */
  readonly dnsRotation = new Map<string, number>();

  constructor(readonly ids: IdGenerator = IdGenerator.fresh()) {}

  collection<K extends CollectionName>(name: K): Map<string, Collections[K]> {
    return this[name] as unknown as Map<string, Collections[K]>;
  }

  toSnapshot(): WorldSnapshot {
    const snap = { format: "vpclab-world/1", ids: { ...this.ids.state }, dnsRotation: Object.fromEntries(this.dnsRotation) } as WorldSnapshot;
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
    return world;
  }

  /** A deep, independent copy: lab files apply to a clone and replace the world only on success. */
  clone(): World {
    return World.fromSnapshot(structuredClone(this.toSnapshot()));
  }
}
