// Elastic Load Balancing v2 resources as plain data: network and gateway load balancers, their
// target groups, targets and listeners. ELBv2 names resources by ARN, so a resource's `id` is
// its ARN. Shaped like the ELBv2 API's own resources; no behaviour lives here.
import type { Resource } from "./types.js";

export type LoadBalancerType = "network" | "gateway";

/** One Availability Zone a load balancer serves: the subnet and the node (ENI) it has there. */
export interface LoadBalancerZone {
  zoneName: string;
  zoneId: string;
  subnetId: string;
  /** The load balancer node's requester-managed ENI in the subnet; its address is what targets see as the source. */
  networkInterfaceId: string;
  privateIpv4Address: string;
  /** Set when the private address was asked for (SubnetMapping PrivateIPv4Address): AWS then lists it as the zone's address. */
  privateIpv4Requested?: boolean;
  /** An internet-facing node's public address: the Elastic IP's, or one from AWS's pool. */
  publicIpv4Address?: string;
  /** The Elastic IP given in the SubnetMapping, if any. */
  allocationId?: string;
}

export interface LoadBalancer extends Resource {
  /** The load balancer's ARN (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/net|gwy/<name>/<16 hex>). */
  id: string;
  name: string;
  type: LoadBalancerType;
  scheme: "internal" | "internet-facing";
  vpcId: string;
  state: "provisioning" | "active" | "active_impaired" | "failed";
  dnsName: string;
  canonicalHostedZoneId: string;
  ipAddressType: "ipv4" | "dualstack";
  zones: LoadBalancerZone[];
  /** Network load balancers may have security groups (set at creation); gateway load balancers never do. */
  securityGroupIds: string[];
  /** With security groups: whether their inbound rules apply to traffic arriving through PrivateLink ("on" by default). */
  enforceSecurityGroupInboundRulesOnPrivateLinkTraffic?: "on" | "off";
  /** ELBv2 load balancer attributes by key (load_balancing.cross_zone.enabled, deletion_protection.enabled, ...). */
  attributes: Record<string, string>;
  createdTime: string;
}

export type TargetGroupProtocol = "TCP" | "UDP" | "TCP_UDP" | "TLS" | "GENEVE";

export interface Target {
  /** An instance id (target type instance) or an IPv4 address (target type ip). */
  id: string;
  port: number;
  /** For ip targets outside the VPC: "all". Otherwise the target's own AZ, derived, never stored. */
  availabilityZone?: string;
}

export interface HealthCheck {
  enabled: boolean;
  protocol: "TCP" | "HTTP" | "HTTPS";
  /** "traffic-port" or a port number as a string, as ELBv2 returns it. */
  port: string;
  path?: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  matcher?: { httpCode?: string };
}

export interface TargetGroup extends Resource {
  /** The target group's ARN (arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex>). */
  id: string;
  name: string;
  protocol: TargetGroupProtocol;
  port: number;
  vpcId: string;
  targetType: "instance" | "ip";
  healthCheck: HealthCheck;
  targets: Target[];
  attributes: Record<string, string>;
}

export interface ListenerAction {
  type: "forward";
  targetGroupArn: string;
}

export interface Listener extends Resource {
  /** The listener's ARN (arn:aws:elasticloadbalancing:<region>:<account>:listener/net|gwy/<lb name>/<lb hex>/<16 hex>). */
  id: string;
  loadBalancerArn: string;
  /** The load balancer's VPC: kept so that the world indexes listeners by VPC. */
  vpcId: string;
  /** Gateway load balancer listeners have neither port nor protocol. */
  port?: number;
  protocol?: TargetGroupProtocol;
  defaultActions: ListenerAction[];
  /** TLS listeners: the server certificate's ARN (vpclab has no ACM and does not check it) and the security policy. */
  certificates?: { certificateArn: string }[];
  sslPolicy?: string;
  alpnPolicy?: string[];
}
