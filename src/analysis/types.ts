// The contract every renderer (CLI text, --output json, the API, the web page) shares: a trace
// is data, with every hop naming its component, the rule that matched and a verdict.

export interface ComponentRef { id: string; type: string; name?: string }

export type Verdict = "pass" | "block" | "info";

/** The setting that decided a hop: a route, SG rule, NACL entry, DNS record, ... */
export type MatchedRule = Record<string, string | number | boolean | undefined>;

export interface Hop {
  component: ComponentRef;
  verdict: Verdict;
  detail: string;
  rule?: MatchedRule;
}

export interface Explanation {
  code: string;
  component: ComponentRef;
  message: string;
  /** What to change so that this setting no longer blocks. */
  fix?: string;
}

export interface DnsRecord { name: string; type: "A" | "CNAME"; ttl: number; value: string }

export interface DigResult {
  name: string;
  type: "A";
  /** NOERROR with answers, NXDOMAIN, or NO_RESOLVER when the VPC's resolver does not answer at all. */
  status: "NOERROR" | "NXDOMAIN" | "NO_RESOLVER";
  from: ComponentRef;
  resolver: string;
  answers: DnsRecord[];
  /** Where the answer came from: the hosted zone or synthesized namespace. */
  source: { kind: "private-dns" | "vpce-public" | "ec2-internal" | "ec2-public" | "aws-public" | "elb-public" | "none"; component?: ComponentRef; zone?: string };
  explanations: Explanation[];
  notes: Explanation[];
}

export interface Endpoint { ip: string; port: number; protocol: "tcp" | "udp" | "icmp"; host?: string }

/**
 * Where a reachable flow is finally delivered: the address and port it arrives on (behind a load
 * balancer, the target's), so that the live data plane can carry real traffic there.
 */
export interface Delivery {
  vpcId: string;
  ip: string;
  port: number;
  instanceId?: string;
  networkInterfaceId: string;
  /** Set when a load balancer chose this target. */
  via?: { loadBalancerArn: string; targetGroupArn: string };
}

export interface Trace {
  reachable: boolean;
  source: ComponentRef & { ip: string };
  destination: Endpoint & { component?: ComponentRef };
  dns?: DigResult;
  forward: Hop[];
  return: Hop[];
  /** False when the forward walk stopped short: then `return` holds only the checks it queued up to that point. */
  returnComplete: boolean;
  /** Every setting that blocks the path, as if each earlier one had been fixed. */
  explanations: Explanation[];
  /** Observations that do not block (a more specific route won, an endpoint in another Region is ignored ...). */
  notes: Explanation[];
  /** Where the flow lands, when it reaches a network interface (an instance, or a load balancer's target). */
  delivery?: Delivery;
}
