// CreateTags, DeleteTags and DescribeTags across every taggable resource, found by id prefix.
import { type Ctx, type Ec2Collection, collectionOfId, get } from "../../control/context.js";
import { type FilterTable, applyFilters } from "../../control/filters.js";
import { AwsError } from "../../model/errors.js";
import type { Tag } from "../../model/types.js";
import { type ActionTable, MAX_TAGS, as, checkTag, paginate } from "../actions.js";
import type { DescribeInput } from "./common.js";
import { owned } from "./common.js";

/** AWS's resource-type names, as DescribeTags reports them and TagSpecification takes them. */
const RESOURCE_TYPES: Partial<Record<Ec2Collection, string>> = {
  vpcs: "vpc", subnets: "subnet", routeTables: "route-table", internetGateways: "internet-gateway",
  elasticIps: "elastic-ip", natGateways: "natgateway", securityGroups: "security-group", networkAcls: "network-acl",
  networkInterfaces: "network-interface", instances: "instance", vpcEndpoints: "vpc-endpoint",
  peeringConnections: "vpc-peering-connection", vpnGateways: "vpn-gateway", vpnConnections: "vpn-connection",
  networkInsightsPaths: "network-insights-path", networkInsightsAnalyses: "network-insights-analysis",
  endpointServices: "vpc-endpoint-service",
};

interface Tagged { id: string; tags: Tag[] }

function resolve(ctx: Ctx, id: string): Tagged {
  const kind = collectionOfId(id);
  if (!kind || !RESOURCE_TYPES[kind]) throw new AwsError("InvalidID", `The ID '${id}' is not valid`);
  return get(ctx, kind, id);
}

interface TagRow { resourceId: string; resourceType: string; key: string; value: string; tags: Tag[] }

const TAG_FILTERS: FilterTable<TagRow> = {
  "key": (r) => r.key,
  "value": (r) => r.value,
  "resource-id": (r) => r.resourceId,
  "resource-type": (r) => r.resourceType,
};

export const TAG_ACTIONS: ActionTable = {
  CreateTags: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ resources: string[]; tags: { key?: string; value?: string }[] }>(input);
      // Every resource and tag is checked before any is changed: all or nothing.
      const targets = i.resources.map((id) => resolve(ctx, id));
      i.tags.forEach(checkTag);
      for (const r of targets) {
        const keys = new Set([...r.tags.map((t) => t.key), ...i.tags.map((t) => t.key!)]);
        if (keys.size > MAX_TAGS) throw new AwsError("TagLimitExceeded", `The maximum number of Tags for a resource has been reached.`);
      }
      for (const r of targets) {
        for (const t of i.tags) {
          const existing = r.tags.find((x) => x.key === t.key);
          if (existing) existing.value = t.value ?? "";
          else r.tags.push({ key: t.key!, value: t.value ?? "" });
        }
      }
      return {};
    },
  },
  DeleteTags: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ resources: string[]; tags?: { key?: string; value?: string }[] }>(input);
      const targets = i.resources.map((id) => resolve(ctx, id));
      for (const r of targets) {
        // No Tag.N deletes every tag; a tag without a value deletes the key whatever its value.
        r.tags = i.tags === undefined ? [] : r.tags.filter((t) => !i.tags!.some((d) => d.key === t.key && (d.value === undefined || d.value === t.value)));
      }
      return {};
    },
  },
  DescribeTags: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeInput>(input);
      const rows: TagRow[] = [];
      for (const [kind, resourceType] of Object.entries(RESOURCE_TYPES) as [Ec2Collection, string][]) {
        for (const r of owned(ctx, kind)) {
          for (const t of r.tags) rows.push({ resourceId: r.id, resourceType, key: t.key, value: t.value, tags: [] });
        }
      }
      // AWS lists tags sorted by resource id, then key.
      rows.sort((a, b) => (a.resourceId === b.resourceId ? a.key.localeCompare(b.key) : a.resourceId.localeCompare(b.resourceId)));
      const { page, nextToken } = paginate(applyFilters(rows, i.filters, TAG_FILTERS), i);
      return { tags: page.map(({ resourceId, resourceType, key, value }) => ({ resourceId, resourceType, key, value })), nextToken };
    },
  },
};
