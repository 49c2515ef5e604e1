// Reachability Analyzer's resources as vpclab keeps them: the EC2 model's shapes (members
// lowerFirst, as the XML writer expects), plus the Resource fields and the whole vpclab trace.
import type { Trace } from "../analysis/types.js";
import type { Resource, Tag } from "./types.js";

export type InsightsProtocol = "tcp" | "udp";
/** RequestFilterPortRange (input) and FilterPortRange (output) have the same members. */
export interface FilterPortRange { fromPort?: number; toPort?: number }
/** PathRequestFilter (input) and PathFilter (output) have the same members. */
export interface PathFilter { sourceAddress?: string; sourcePortRange?: FilterPortRange; destinationAddress?: string; destinationPortRange?: FilterPortRange }
export interface TagSpecificationInput { resourceType?: string; tags?: { key?: string; value?: string }[] }

export interface CreateNetworkInsightsPathInput {
  source: string;
  destination?: string;
  sourceIp?: string;
  destinationIp?: string;
  protocol: string;
  destinationPort?: number;
  tagSpecifications?: TagSpecificationInput[];
  /** Idempotency is the protocol layer's (it keeps ClientToken records); accepted and ignored here. */
  clientToken?: string;
  filterAtSource?: PathFilter;
  filterAtDestination?: PathFilter;
}

/** NetworkInsightsPath as the API returns it. */
export interface NetworkInsightsPathShape {
  networkInsightsPathId: string;
  networkInsightsPathArn: string;
  createdDate: string;
  source: string;
  destination?: string;
  sourceArn: string;
  destinationArn?: string;
  sourceIp?: string;
  destinationIp?: string;
  protocol: InsightsProtocol;
  destinationPort?: number;
  tags: Tag[];
  filterAtSource?: PathFilter;
  filterAtDestination?: PathFilter;
}
/** As stored in the world: the API shape plus the fields every resource has. */
export type NetworkInsightsPath = NetworkInsightsPathShape & Resource;

export interface AnalysisComponent { id: string; arn?: string; name?: string }
export interface PortRange { from: number; to: number }
export interface AnalysisAclRule { cidr?: string; egress?: boolean; portRange?: PortRange; protocol?: string; ruleAction?: string; ruleNumber?: number }
export interface AnalysisSecurityGroupRule { cidr?: string; direction?: string; securityGroupId?: string; portRange?: PortRange; prefixListId?: string; protocol?: string }
export interface AnalysisRouteTableRoute {
  destinationCidr?: string; destinationPrefixListId?: string; gatewayId?: string; instanceId?: string; natGatewayId?: string;
  networkInterfaceId?: string; origin?: string; state?: string; vpcPeeringConnectionId?: string;
}
export interface AnalysisPacketHeader { destinationAddresses?: string[]; destinationPortRanges?: PortRange[]; protocol?: string; sourceAddresses?: string[]; sourcePortRanges?: PortRange[] }
export interface AdditionalDetail { additionalDetailType?: string; component?: AnalysisComponent; serviceName?: string }

/** Explanation (named so as not to clash with the trace's own Explanation). */
export interface InsightsExplanation {
  explanationCode: string;
  component?: AnalysisComponent;
  direction?: string;
  port?: number;
  portRanges?: PortRange[];
  protocols?: string[];
  acl?: AnalysisComponent;
  aclRule?: AnalysisAclRule;
  securityGroup?: AnalysisComponent;
  securityGroups?: AnalysisComponent[];
  networkInterface?: AnalysisComponent;
  internetGateway?: AnalysisComponent;
  natGateway?: AnalysisComponent;
  routeTable?: AnalysisComponent;
  routeTableRoute?: AnalysisRouteTableRoute;
  subnet?: AnalysisComponent;
  vpc?: AnalysisComponent;
  vpcEndpoint?: AnalysisComponent;
  vpcPeeringConnection?: AnalysisComponent;
  vpnConnection?: AnalysisComponent;
  vpnGateway?: AnalysisComponent;
}

export interface PathComponent {
  sequenceNumber: number;
  component: AnalysisComponent;
  aclRule?: AnalysisAclRule;
  attachedTo?: AnalysisComponent;
  inboundHeader?: AnalysisPacketHeader;
  outboundHeader?: AnalysisPacketHeader;
  routeTableRoute?: AnalysisRouteTableRoute;
  securityGroupRule?: AnalysisSecurityGroupRule;
  subnet?: AnalysisComponent;
  vpc?: AnalysisComponent;
  additionalDetails?: AdditionalDetail[];
  explanations?: InsightsExplanation[];
  serviceName?: string;
}

export interface StartNetworkInsightsAnalysisInput {
  networkInsightsPathId: string;
  additionalAccounts?: string[];
  filterInArns?: string[];
  filterOutArns?: string[];
  tagSpecifications?: TagSpecificationInput[];
  clientToken?: string;
}

export type AnalysisStatus = "running" | "succeeded" | "failed";

/** NetworkInsightsAnalysis as the API returns it, plus `vpclabTrace` (not a model member). */
export interface NetworkInsightsAnalysisShape {
  networkInsightsAnalysisId: string;
  networkInsightsAnalysisArn: string;
  networkInsightsPathId: string;
  additionalAccounts?: string[];
  filterInArns?: string[];
  filterOutArns?: string[];
  startDate: string;
  status: AnalysisStatus;
  statusMessage?: string;
  warningMessage?: string;
  networkPathFound?: boolean;
  forwardPathComponents?: PathComponent[];
  returnPathComponents?: PathComponent[];
  explanations?: InsightsExplanation[];
  tags: Tag[];
  /** vpclab's own trace of the path, hop by hop with messages and fixes, for the CLI and web page. */
  vpclabTrace?: Trace;
}
export type NetworkInsightsAnalysis = NetworkInsightsAnalysisShape & Resource;

