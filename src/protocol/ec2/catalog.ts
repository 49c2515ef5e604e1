// What the Region catalog answers on the wire: DescribeAvailabilityZones, DescribeRegions, and
// the AWS-managed prefix lists (DescribePrefixLists, DescribeManagedPrefixLists,
// GetManagedPrefixListEntries). All read src/model/catalog; nothing here changes the world.
import type { Ctx } from "../../control/context.js";
import { type FilterTable, applyFilters } from "../../control/filters.js";
import { type PrefixListInfo, type RegionInfo, findPrefixList, findRegion, prefixListsIn, regions } from "../../model/catalog/index.js";
import { AwsError } from "../../model/errors.js";
import type { Tag } from "../../model/types.js";
import { type ActionTable, as, paginate } from "../actions.js";
import type { DescribeInput } from "./common.js";

interface ZoneRow { zoneName: string; zoneId: string; region: RegionInfo; tags?: Tag[] }
type RegionRow = RegionInfo & { tags?: Tag[] };

/**
 * An AZ as AWS shows it. The zone group of an AZ is `<region>-zg-1` and its long name the
 * Region's display name plus " 1" (the API reference's examples); its network border group is
 * the Region.
 */
export function presentAvailabilityZone(z: ZoneRow): object {
  return {
    optInStatus: "opt-in-not-required", messages: [], regionName: z.region.name, zoneName: z.zoneName, zoneId: z.zoneId,
    groupName: `${z.region.name}-zg-1`, groupLongName: `${z.region.displayName} 1`, networkBorderGroup: z.region.name,
    zoneType: "availability-zone", state: "available",
  };
}

const ZONE_FILTERS: FilterTable<ZoneRow> = {
  "group-long-name": (z) => `${z.region.displayName} 1`,
  "group-name": (z) => `${z.region.name}-zg-1`,
  "message": () => undefined,
  "opt-in-status": () => "opt-in-not-required",
  "parent-zone-id": () => undefined,
  "parent-zone-name": () => undefined,
  "region-name": (z) => z.region.name,
  "state": () => "available",
  "zone-id": (z) => z.zoneId,
  "zone-name": (z) => z.zoneName,
  "zone-type": () => "availability-zone",
};

export function presentRegion(r: RegionInfo): object {
  return { regionName: r.name, endpoint: `ec2.${r.name}.amazonaws.com`, optInStatus: "opt-in-not-required" };
}

const REGION_FILTERS: FilterTable<RegionRow> = {
  "endpoint": (r) => `ec2.${r.name}.amazonaws.com`,
  "opt-in-status": () => "opt-in-not-required",
  "region-name": (r) => r.name,
};

export function presentPrefixList(p: PrefixListInfo): object {
  return { cidrs: p.cidrs, prefixListId: p.id, prefixListName: p.name };
}

/**
 * An AWS-managed prefix list as DescribeManagedPrefixLists shows it. AWS's answers for these
 * carry no MaxEntries and no Version (only customer-managed lists have them), and the ARN's
 * account field is `aws`.
 */
export function presentManagedPrefixList(p: PrefixListInfo): object {
  return {
    prefixListId: p.id, addressFamily: "IPv4", state: "create-complete",
    prefixListArn: `arn:aws:ec2:${p.region}:aws:prefix-list/${p.id}`, prefixListName: p.name, tags: [], ownerId: "AWS",
  };
}

type ListRow = PrefixListInfo & { tags?: Tag[] };

const PREFIX_LIST_FILTERS: FilterTable<ListRow> = {
  "prefix-list-id": (p) => p.id,
  "prefix-list-name": (p) => p.name,
};

const MANAGED_PREFIX_LIST_FILTERS: FilterTable<ListRow> = { ...PREFIX_LIST_FILTERS, "owner-id": () => "AWS" };

/** A prefix-list id of the caller's Region, checked as EC2 checks ids: Malformed before NotFound. */
export function getPrefixList(ctx: Ctx, id: string): PrefixListInfo {
  if (!/^pl-([0-9a-f]{8}|[0-9a-f]{17})$/.test(id)) throw new AwsError("InvalidPrefixListId.Malformed", `Invalid id: "${id}" (expecting "pl-...")`);
  const p = findPrefixList(ctx.region, id);
  if (!p) throw new AwsError("InvalidPrefixListID.NotFound", `The prefix list ID '${id}' does not exist`);
  return p;
}

function prefixLists(ctx: Ctx, ids: string[] | undefined): PrefixListInfo[] {
  return ids && ids.length > 0 ? [...new Set(ids)].map((id) => getPrefixList(ctx, id)) : prefixListsIn(ctx.region);
}

export const CATALOG_ACTIONS: ActionTable = {
  DescribeAvailabilityZones: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeInput & { zoneNames?: string[]; zoneIds?: string[]; allAvailabilityZones?: boolean }>(input);
      const region = findRegion(ctx.region);
      // vpclab's catalog has Availability Zones only (no Local or Wavelength Zones), all opted in,
      // so AllAvailabilityZones changes nothing.
      let rows: ZoneRow[] = (region?.availabilityZones ?? []).map((az) => ({ zoneName: az.name, zoneId: az.id, region: region! }));
      const unknown = [...(i.zoneNames ?? []).filter((n) => !rows.some((z) => z.zoneName === n)), ...(i.zoneIds ?? []).filter((n) => !rows.some((z) => z.zoneId === n))];
      if (unknown.length > 0) throw new AwsError("InvalidParameterValue", `Invalid availability zone: [${unknown.join(", ")}]`);
      if (i.zoneNames?.length || i.zoneIds?.length) {
        rows = rows.filter((z) => (i.zoneNames ?? []).includes(z.zoneName) || (i.zoneIds ?? []).includes(z.zoneId));
      }
      return { availabilityZones: applyFilters(rows, i.filters, ZONE_FILTERS).map(presentAvailabilityZone) };
    },
  },
  DescribeRegions: {
    mutates: false,
    run: (_ctx, input) => {
      const i = as<DescribeInput & { regionNames?: string[]; allRegions?: boolean }>(input);
      // Every catalog Region is enabled by default (opt-in-not-required), so AllRegions changes nothing.
      let all: RegionRow[] = [...regions()];
      const unknown = (i.regionNames ?? []).filter((n) => !all.some((r) => r.name === n));
      if (unknown.length > 0) throw new AwsError("InvalidParameterValue", `Invalid region: [${unknown.join(", ")}]`);
      if (i.regionNames?.length) all = all.filter((r) => i.regionNames!.includes(r.name));
      all.sort((a, b) => a.name.localeCompare(b.name));
      return { regions: applyFilters(all, i.filters, REGION_FILTERS).map(presentRegion) };
    },
  },
  DescribePrefixLists: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeInput & { prefixListIds?: string[] }>(input);
      const { page, nextToken } = paginate(applyFilters<ListRow>(prefixLists(ctx, i.prefixListIds), i.filters, PREFIX_LIST_FILTERS), i);
      return { prefixLists: page.map(presentPrefixList), nextToken };
    },
  },
  DescribeManagedPrefixLists: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeInput & { prefixListIds?: string[] }>(input);
      const all = applyFilters<ListRow>(prefixLists(ctx, i.prefixListIds), i.filters, MANAGED_PREFIX_LIST_FILTERS);
      const { page, nextToken } = paginate(all, i, { min: 1, max: 100 });
      return { prefixLists: page.map(presentManagedPrefixList), nextToken };
    },
  },
  GetManagedPrefixListEntries: {
    mutates: false,
    run: (ctx, input) => {
      // TargetVersion is accepted and ignored: AWS-managed lists show no versions (see above).
      const i = as<{ prefixListId: string; maxResults?: number; nextToken?: string }>(input);
      const { page, nextToken } = paginate(getPrefixList(ctx, i.prefixListId).cidrs, i, { min: 1, max: 100 });
      // AWS-managed entries have no description.
      return { entries: page.map((cidr) => ({ cidr })), nextToken };
    },
  },
};
