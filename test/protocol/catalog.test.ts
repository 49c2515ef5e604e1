// The Region catalog on the wire (AZs, Regions, AWS-managed prefix lists) through the real AWS
// SDK for JavaScript, and once through aws-cli, against a running server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  DescribeAvailabilityZonesCommand, type DescribeAvailabilityZonesCommandInput, DescribeManagedPrefixListsCommand, DescribePrefixListsCommand,
  DescribeRegionsCommand, GetManagedPrefixListEntriesCommand, type GetManagedPrefixListEntriesCommandInput, type GetManagedPrefixListEntriesCommandOutput,
} from "@aws-sdk/client-ec2";
import { findRegion } from "../../src/model/catalog/index.js";
import { REGION, type TestServer, ec2, errorCode, startTestServer } from "../e2e/server.js";

const SEOUL = findRegion(REGION)!;
const S3_PL = SEOUL.prefixLists["s3"]!;
const DDB_PL = SEOUL.prefixLists["dynamodb"]!;

/** aws-cli against the in-process server; asynchronous so that the server keeps serving. */
async function awsCli<T>(server: TestServer, ...args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)("aws", ["--endpoint-url", server.endpoint, "--output", "json", "ec2", ...args], {
    encoding: "utf8",
    env: { ...process.env, AWS_ACCESS_KEY_ID: "111111111111", AWS_SECRET_ACCESS_KEY: "x", AWS_DEFAULT_REGION: REGION, AWS_PAGER: "", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" },
  });
  return (stdout.trim() ? JSON.parse(stdout) : {}) as T;
}

test("DescribeAvailabilityZones and DescribeRegions: the catalog's zones and Regions, names, ids, filters", async () => {
  const server = await startTestServer();
  try {
    const a = ec2(server);
    const zones = (await a.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones!;
    assert.deepEqual(zones.map((z) => [z.ZoneName, z.ZoneId]), [["ap-northeast-2a", "apne2-az1"], ["ap-northeast-2b", "apne2-az2"], ["ap-northeast-2c", "apne2-az3"], ["ap-northeast-2d", "apne2-az4"]]);
    assert.deepEqual(zones[0], {
      ZoneName: "ap-northeast-2a", ZoneId: "apne2-az1", RegionName: REGION, State: "available", ZoneType: "availability-zone",
      OptInStatus: "opt-in-not-required", GroupName: "ap-northeast-2-zg-1", GroupLongName: "Asia Pacific (Seoul) 1", NetworkBorderGroup: REGION, Messages: [],
    });
    const zonesBy = async (input: DescribeAvailabilityZonesCommandInput): Promise<string[]> =>
      (await a.send(new DescribeAvailabilityZonesCommand(input))).AvailabilityZones!.map((z) => z.ZoneName!);
    assert.deepEqual(await zonesBy({ ZoneNames: ["ap-northeast-2c"] }), ["ap-northeast-2c"]);
    assert.deepEqual(await zonesBy({ ZoneIds: ["apne2-az1"], ZoneNames: ["ap-northeast-2d"] }), ["ap-northeast-2a", "ap-northeast-2d"]);
    assert.deepEqual(await zonesBy({ Filters: [{ Name: "zone-name", Values: ["*-2b"] }] }), ["ap-northeast-2b"]);
    assert.deepEqual(await zonesBy({ Filters: [{ Name: "zone-id", Values: ["apne2-az3"] }] }), ["ap-northeast-2c"]);
    assert.equal((await zonesBy({ Filters: [{ Name: "region-name", Values: [REGION] }, { Name: "state", Values: ["available"] }, { Name: "zone-type", Values: ["availability-zone"] }] })).length, 4);
    assert.deepEqual(await zonesBy({ Filters: [{ Name: "zone-type", Values: ["local-zone"] }] }), []);
    assert.equal((await zonesBy({ AllAvailabilityZones: true })).length, 4);
    assert.equal(await errorCode(a.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ["ap-northeast-2z"] }))), "InvalidParameterValue");
    assert.equal(await errorCode(a.send(new DescribeAvailabilityZonesCommand({ ZoneIds: ["use1-az1"] }))), "InvalidParameterValue");
    assert.equal(await errorCode(a.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: "nope", Values: ["x"] }] }))), "InvalidParameterValue");
    const east = (await ec2(server, "111111111111", "us-east-1").send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones!;
    assert.equal(east[0]!.ZoneId, "use1-az6", "each Region answers its own zones");

    const regions = (await a.send(new DescribeRegionsCommand({}))).Regions!;
    assert.ok(regions.length >= 2);
    assert.deepEqual(regions.find((r) => r.RegionName === REGION), { RegionName: REGION, Endpoint: "ec2.ap-northeast-2.amazonaws.com", OptInStatus: "opt-in-not-required" });
    assert.deepEqual((await a.send(new DescribeRegionsCommand({ RegionNames: ["us-east-1"] }))).Regions!.map((r) => r.RegionName), ["us-east-1"]);
    assert.equal((await a.send(new DescribeRegionsCommand({ AllRegions: true }))).Regions!.length, regions.length);
    const regionsBy = async (name: string, value: string): Promise<string[]> =>
      (await a.send(new DescribeRegionsCommand({ Filters: [{ Name: name, Values: [value] }] }))).Regions!.map((r) => r.RegionName!);
    assert.deepEqual(await regionsBy("region-name", "ap-*"), regions.map((r) => r.RegionName!).filter((n) => n.startsWith("ap-")));
    assert.deepEqual(await regionsBy("endpoint", "ec2.us-east-1.amazonaws.com"), ["us-east-1"]);
    assert.equal((await regionsBy("opt-in-status", "opt-in-not-required")).length, regions.length);
    const bad = await a.send(new DescribeRegionsCommand({ RegionNames: ["us--east-1"] })).catch((e: Error) => e);
    assert.ok(bad instanceof Error);
    assert.equal((bad as { Code?: string }).Code ?? bad.name, "InvalidParameterValue");
    assert.equal(bad.message, "Invalid region: [us--east-1]");
  } finally {
    await server.close();
  }
});

test("prefix lists: DescribePrefixLists, DescribeManagedPrefixLists and GetManagedPrefixListEntries for the Region's AWS lists", async () => {
  const server = await startTestServer();
  try {
    const a = ec2(server);
    const lists = (await a.send(new DescribePrefixListsCommand({}))).PrefixLists!;
    assert.deepEqual(lists, [
      { PrefixListId: S3_PL.id, PrefixListName: "com.amazonaws.ap-northeast-2.s3", Cidrs: S3_PL.cidrs },
      { PrefixListId: DDB_PL.id, PrefixListName: "com.amazonaws.ap-northeast-2.dynamodb", Cidrs: DDB_PL.cidrs },
    ]);
    assert.equal(S3_PL.id, "pl-78a54011");
    assert.deepEqual((await a.send(new DescribePrefixListsCommand({ PrefixListIds: [DDB_PL.id] }))).PrefixLists!.map((p) => p.PrefixListId), [DDB_PL.id]);
    assert.deepEqual((await a.send(new DescribePrefixListsCommand({ Filters: [{ Name: "prefix-list-name", Values: ["*.s3"] }] }))).PrefixLists!.map((p) => p.PrefixListId), [S3_PL.id]);
    assert.deepEqual((await a.send(new DescribePrefixListsCommand({ Filters: [{ Name: "prefix-list-id", Values: [DDB_PL.id] }] }))).PrefixLists!.map((p) => p.PrefixListName), ["com.amazonaws.ap-northeast-2.dynamodb"]);
    assert.equal(await errorCode(a.send(new DescribePrefixListsCommand({ PrefixListIds: ["pl-nope"] }))), "InvalidPrefixListId.Malformed");
    // us-east-1's S3 list is not a Seoul list: ids are per Region.
    const missing = await a.send(new DescribePrefixListsCommand({ PrefixListIds: ["pl-63a5400a"] })).catch((e: Error) => e);
    assert.equal((missing as { Code?: string }).Code, "InvalidPrefixListID.NotFound");
    assert.equal((missing as Error).message, "The prefix list ID 'pl-63a5400a' does not exist");
    assert.equal(await errorCode(a.send(new DescribePrefixListsCommand({ Filters: [{ Name: "owner-id", Values: ["AWS"] }] }))), "InvalidParameterValue");
    const east = (await ec2(server, "111111111111", "us-east-1").send(new DescribePrefixListsCommand({ PrefixListIds: ["pl-63a5400a"] }))).PrefixLists!;
    assert.equal(east[0]!.PrefixListName, "com.amazonaws.us-east-1.s3");

    const managed = (await a.send(new DescribeManagedPrefixListsCommand({ PrefixListIds: [S3_PL.id] }))).PrefixLists!;
    assert.deepEqual(managed, [{
      PrefixListId: S3_PL.id, AddressFamily: "IPv4", State: "create-complete", PrefixListArn: `arn:aws:ec2:${REGION}:aws:prefix-list/${S3_PL.id}`,
      PrefixListName: "com.amazonaws.ap-northeast-2.s3", Tags: [], OwnerId: "AWS",
    }]);
    assert.equal((await a.send(new DescribeManagedPrefixListsCommand({ Filters: [{ Name: "owner-id", Values: ["AWS"] }] }))).PrefixLists!.length, 2);
    assert.equal((await a.send(new DescribeManagedPrefixListsCommand({ Filters: [{ Name: "owner-id", Values: ["111111111111"] }] }))).PrefixLists!.length, 0);
    assert.deepEqual((await a.send(new DescribeManagedPrefixListsCommand({ Filters: [{ Name: "prefix-list-name", Values: ["*dynamodb"] }] }))).PrefixLists!.map((p) => p.PrefixListId), [DDB_PL.id]);
    const page = await a.send(new DescribeManagedPrefixListsCommand({ MaxResults: 1 }));
    assert.equal(page.PrefixLists!.length, 1);
    assert.equal((await a.send(new DescribeManagedPrefixListsCommand({ MaxResults: 1, NextToken: page.NextToken! }))).PrefixLists![0]!.PrefixListId, DDB_PL.id);
    assert.equal(await errorCode(a.send(new DescribeManagedPrefixListsCommand({ MaxResults: 101 }))), "InvalidParameterValue");
    assert.equal(await errorCode(a.send(new DescribeManagedPrefixListsCommand({ PrefixListIds: ["pl-0123456789abcdef0"] }))), "InvalidPrefixListID.NotFound");

    // Entries page through the list's CIDRs in order.
    const entries: string[] = [];
    let token: string | undefined;
    do {
      const got: GetManagedPrefixListEntriesCommandOutput = await a.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: S3_PL.id, MaxResults: 3, ...(token ? { NextToken: token } : {}) }));
      assert.ok(got.Entries!.length <= 3);
      for (const e of got.Entries!) {
        assert.equal(e.Description, undefined, "AWS-managed entries carry no description");
        entries.push(e.Cidr!);
      }
      token = got.NextToken;
    } while (token);
    assert.deepEqual(entries, S3_PL.cidrs);
    assert.equal(await errorCode(a.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: "pl-0123456789abcdef0" }))), "InvalidPrefixListID.NotFound");
    assert.equal(await errorCode(a.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: "x" }))), "InvalidPrefixListId.Malformed");
    assert.equal(await errorCode(a.send(new GetManagedPrefixListEntriesCommand({} as GetManagedPrefixListEntriesCommandInput))), "MissingParameter");
    assert.equal(await errorCode(a.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: S3_PL.id, MaxResults: 0 }))), "InvalidParameterValue");
  } finally {
    await server.close();
  }
});

test("aws-cli: zones, Regions and prefix-list entries in the shapes it expects", async () => {
  const server = await startTestServer();
  try {
    const zones = await awsCli<{ AvailabilityZones: { ZoneName: string; ZoneId: string; State: string }[] }>(server, "describe-availability-zones", "--zone-names", "ap-northeast-2a");
    assert.deepEqual(zones.AvailabilityZones.map((z) => [z.ZoneName, z.ZoneId, z.State]), [["ap-northeast-2a", "apne2-az1", "available"]]);
    const regions = await awsCli<{ Regions: { RegionName: string; Endpoint: string }[] }>(server, "describe-regions", "--region-names", REGION);
    assert.deepEqual(regions.Regions, [{ RegionName: REGION, Endpoint: "ec2.ap-northeast-2.amazonaws.com", OptInStatus: "opt-in-not-required" }]);
    const entries = await awsCli<{ Entries: { Cidr: string }[] }>(server, "get-managed-prefix-list-entries", "--prefix-list-id", S3_PL.id);
    assert.deepEqual(entries.Entries.map((e) => e.Cidr), S3_PL.cidrs, "aws-cli follows NextToken itself");
    const lists = await awsCli<{ PrefixLists: { PrefixListId: string; Cidrs: string[] }[] }>(server, "describe-prefix-lists", "--filters", "Name=prefix-list-name,Values=com.amazonaws.ap-northeast-2.dynamodb");
    assert.deepEqual(lists.PrefixLists.map((p) => [p.PrefixListId, p.Cidrs]), [[DDB_PL.id, DDB_PL.cidrs]]);
  } finally {
    await server.close();
  }
});
