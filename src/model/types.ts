// The world's resources as plain data, shaped like the EC2 API's own resources so that the
// API server can render them directly. No behaviour lives here.

export interface Tag { key: string; value: string }

/** Fields every owned, tagged, regional resource has. */
export interface Resource {
  id: string;
  region: string;
  ownerId: string;
  tags: Tag[];
}

export interface Vpc extends Resource {
  cidrBlock: string;
  state: "pending" | "available";
  enableDnsSupport: boolean;
  enableDnsHostnames: boolean;
  isDefault: boolean;
  mainRouteTableId: string;
  defaultNetworkAclId: string;
  defaultSecurityGroupId: string;
  /**
   * vpclab-internal, not an AWS member (the API renderer renders only the model's members, so it
   * never leaks): the VPC's DNS listener is on the DNS base port + dnsIndex. Given once by
   * createVpc from World.dnsIndex and never reused, so the port survives restarts.
   */
  dnsIndex?: number;
}

export interface Subnet extends Resource {
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  availabilityZoneId: string;
  mapPublicIpOnLaunch: boolean;
  state: "available";
}

/** A route exactly as DescribeRouteTables shows it: one destination, one target field set. */
export interface Route {
  destinationCidrBlock?: string;
  destinationPrefixListId?: string;
  gatewayId?: string; // "local", igw-, vgw-, or vpce- for a gateway endpoint's prefix-list route
  natGatewayId?: string;
  vpcPeeringConnectionId?: string;
  networkInterfaceId?: string;
  instanceId?: string;
  vpcEndpointId?: string; // Gateway Load Balancer endpoints only
  origin: "CreateRouteTable" | "CreateRoute" | "EnableVgwRoutePropagation";
  state: "active" | "blackhole";
}

export interface RouteTableAssociation {
  id: string; // rtbassoc-
  subnetId?: string;
  gatewayId?: string; // edge association
  main: boolean;
}

export interface RouteTable extends Resource {
  vpcId: string;
  routes: Route[];
  associations: RouteTableAssociation[];
  propagatingVgws: string[];
}

export interface InternetGateway extends Resource {
  attachments: { vpcId: string; state: "available" }[];
}

export interface ElasticIp extends Resource {
  allocationId: string; // same as id
  publicIp: string;
  networkInterfaceId?: string;
  associationId?: string;
}

export interface NatGateway extends Resource {
  vpcId: string;
  subnetId: string;
  connectivityType: "public" | "private";
  state: "pending" | "available" | "deleting" | "deleted" | "failed";
  networkInterfaceId: string;
  privateIp: string;
  allocationId?: string;
  publicIp?: string;
}

export type IpProtocol = "-1" | "tcp" | "udp" | "icmp";

export interface SecurityGroupRule {
  id: string; // sgr-
  isEgress: boolean;
  ipProtocol: IpProtocol;
  fromPort: number; // -1 when the protocol has no ports
  toPort: number;
  cidrIpv4?: string;
  referencedGroupId?: string;
  prefixListId?: string;
  description?: string;
}

export interface SecurityGroup extends Resource {
  vpcId: string;
  groupName: string;
  description: string;
  rules: SecurityGroupRule[];
}

export interface NetworkAclEntry {
  ruleNumber: number; // 1..32766, or 32767 for the catch-all "*" rule
  egress: boolean;
  protocol: "-1" | "6" | "17" | "1";
  ruleAction: "allow" | "deny";
  cidrBlock: string;
  portRange?: { from: number; to: number };
}

export interface NetworkAcl extends Resource {
  vpcId: string;
  isDefault: boolean;
  entries: NetworkAclEntry[];
  associations: { id: string; subnetId: string }[];
}

export type InterfaceType =
  | "interface" | "vpc_endpoint" | "nat_gateway" | "gateway_load_balancer_endpoint" | "network_load_balancer" | "gateway_load_balancer";

export interface NetworkInterface extends Resource {
  vpcId: string;
  subnetId: string;
  availabilityZone: string;
  privateIpAddress: string;
  groupIds: string[];
  interfaceType: InterfaceType;
  description: string;
  requesterManaged: boolean;
  requesterId?: string;
  sourceDestCheck: boolean;
  status: "available" | "in-use";
  attachment?: { instanceId?: string; deviceIndex: number };
  publicIp?: string;
  allocationId?: string; // set when the public IP is an Elastic IP
}

export interface Instance extends Resource {
  vpcId: string;
  subnetId: string;
  availabilityZone: string;
  imageId: string;
  instanceType: string;
  state: "running" | "stopped" | "terminated";
  networkInterfaceId: string;
  privateIpAddress: string;
  publicIpAddress?: string;
  launchTime: string;
  /** The ClientToken of the RunInstances call that launched it, if it had one. */
  clientToken?: string;
  /** The r- id of the RunInstances call that launched it (absent for instances saved before it was kept). */
  reservationId?: string;
}

export type VpcEndpointType = "Gateway" | "Interface" | "GatewayLoadBalancer" | "Resource" | "ServiceNetwork";
export type VpcEndpointState =
  | "pendingAcceptance" | "pending" | "available" | "deleting" | "deleted" | "rejected" | "failed" | "expired";

export interface DnsEntry { dnsName: string; hostedZoneId: string }

export interface VpcEndpoint extends Resource {
  vpcEndpointType: VpcEndpointType;
  vpcId: string;
  serviceName: string;
  serviceRegion: string;
  state: VpcEndpointState;
  policyDocument?: string;
  routeTableIds: string[];
  subnetIds: string[];
  groupIds: string[];
  privateDnsEnabled: boolean;
  networkInterfaceIds: string[];
  ipAddressType: "ipv4" | "dualstack" | "ipv6";
  dnsRecordIpType: "ipv4" | "dualstack" | "ipv6" | "service-defined";
  /** The 8-character suffix AWS puts in the endpoint's DNS names. */
  dnsSuffix: string;
  dnsEntries: DnsEntry[];
  creationTimestamp: string;
  /** For an endpoint to a customer endpoint service (PrivateLink): the service's vpce-svc- id. */
  serviceId?: string;
  /** For an endpoint to a customer endpoint service: the connection's id as the provider sees it (vpce-con-). */
  connectionId?: string;
}

/**
 * A customer endpoint service (the provider side of PrivateLink): network load balancers offered
 * to Interface endpoints, or gateway load balancers to GatewayLoadBalancer endpoints. The
 * connections are the endpoints whose serviceId is this service's id; they live with their
 * consumers, in any account.
 */
export interface VpcEndpointService extends Resource {
  /** vpce-svc- and 17 hex. */
  id: string;
  serviceType: "Interface" | "GatewayLoadBalancer";
  /** com.amazonaws.vpce.<region>.<id> */
  serviceName: string;
  serviceState: "Pending" | "Available" | "Deleting" | "Deleted" | "Failed";
  acceptanceRequired: boolean;
  networkLoadBalancerArns: string[];
  gatewayLoadBalancerArns: string[];
  supportedIpAddressTypes: ("ipv4" | "ipv6")[];
  /** Regions consumers may connect from (cross-Region PrivateLink); always includes the service's own. */
  supportedRegions: string[];
  privateDnsName?: string;
  privateDnsNameConfiguration?: { state: "pendingVerification" | "verified" | "failed"; type: "TXT"; value: string; name: string };
  payerResponsibility?: "ServiceOwner";
  /** Principals allowed to connect: arn:aws:iam::<account>:root|user/..|role/.., or "*". */
  allowedPrincipals: { principal: string; principalType: "All" | "Service" | "OrganizationUnit" | "Account" | "User" | "Role"; servicePermissionId: string }[];
  creationTimestamp: string;
}

export type ConnectionEvent = "Accept" | "Connect" | "Delete" | "Reject";

/** A connection notification (SNS topic) on an endpoint service or an endpoint, with what it would have published. */
export interface ConnectionNotification extends Resource {
  /** vpce-nfn- and 17 hex. */
  id: string;
  serviceId?: string;
  vpcEndpointId?: string;
  connectionNotificationArn: string;
  connectionEvents: ConnectionEvent[];
  connectionNotificationState: "Enabled" | "Disabled";
  /**
   * vpclab-internal, never rendered: the events that would have been published to the topic, in
   * order, so that a user (vpclab show, tests) can see that a notification fired.
   */
  deliveries: { event: ConnectionEvent; vpcEndpointId: string; serviceId: string; at: string }[];
}

export interface VpcPeeringConnection extends Resource {
  requesterVpcId: string;
  requesterOwnerId: string;
  requesterRegion: string;
  accepterVpcId: string;
  accepterOwnerId: string;
  accepterRegion: string;
  status: "pending-acceptance" | "active" | "rejected" | "deleted" | "failed";
  statusMessage?: string;
}

export interface VpnGateway extends Resource {
  state: "available";
  attachments: { vpcId: string; state: "attached" }[];
}

/**
 * A site-to-site VPN connection standing for an on-premises network: its static routes are the
 * on-premises CIDRs, which is what a VGW propagates into route tables.
 */
export interface VpnConnection extends Resource {
  vpnGatewayId: string;
  customerGatewayIp: string;
  state: "available";
  staticRoutes: string[];
}
