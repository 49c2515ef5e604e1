// State survives a restart and a kill -9 right after an acknowledged write; parallel clients
// never get the same id; the CLI and the server share one data directory; export and import.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateSubnetCommand, CreateVpcCommand, DescribeSubnetsCommand, DescribeVpcsCommand, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { ec2 } from "./server.js";
import { BIN, ROOT, startProcess } from "./process.js";

const fresh = (): string => join(mkdtempSync(join(tmpdir(), "vpclab-persist-")), "data");

function vpclab(data: string, ...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, "--data", data, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test("every acknowledged write survives kill -9, and a gentle restart too", async () => {
  const data = fresh();
  let server = await startProcess(["--data", data]);
  const client = ec2(server);
  const made: string[] = [];
  for (let i = 0; i < 20; i++) made.push((await client.send(new CreateVpcCommand({ CidrBlock: `10.${i}.0.0/16` }))).Vpc!.VpcId!);
  // No pause: the process dies the moment the last answer is in.
  await server.stop("SIGKILL");
  server = await startProcess(["--data", data]);
  let seen = (await ec2(server).send(new DescribeVpcsCommand({}))).Vpcs!.map((v) => v.VpcId);
  assert.deepEqual(seen, made, "all 20 VPCs, in order, after kill -9");
  made.push((await ec2(server).send(new CreateVpcCommand({ CidrBlock: "10.99.0.0/16" }))).Vpc!.VpcId!);
  assert.equal(await server.stop("SIGTERM"), 0, "a gentle stop exits 0");
  server = await startProcess(["--data", data]);
  seen = (await ec2(server).send(new DescribeVpcsCommand({}))).Vpcs!.map((v) => v.VpcId);
  assert.deepEqual(seen, made);
  await server.stop();
});

test("parallel clients never get the same id or overlapping state", async () => {
  const server = await startProcess(["--data", fresh()]);
  try {
    const clients = Array.from({ length: 8 }, (_, i) => ec2(server, `${i + 1}`.repeat(12)));
    const vpcs = await Promise.all(clients.map((c) => c.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))));
    const ids = vpcs.map((v) => v.Vpc!.VpcId!);
    assert.equal(new Set(ids).size, 8);
    const subnets = await Promise.all(clients.flatMap((c, i) => [0, 1, 2, 3].map((k) => c.send(new CreateSubnetCommand({ VpcId: ids[i]!, CidrBlock: `10.0.${k}.0/24` })))));
    assert.equal(new Set(subnets.map((s) => s.Subnet!.SubnetId)).size, 32);
    // The same CIDR twice at once in one VPC: exactly one wins, the other is a conflict.
    const race = await Promise.allSettled([0, 1].map(() => clients[0]!.send(new CreateSubnetCommand({ VpcId: ids[0]!, CidrBlock: "10.0.9.0/24" }))));
    assert.deepEqual(race.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
    assert.equal((await clients[0]!.send(new DescribeSubnetsCommand({}))).Subnets!.length, 5);
    // Sixteen launches at once into one subnet: sixteen different addresses.
    const subnetId = subnets[0]!.Subnet!.SubnetId!;
    const launched = await Promise.all(Array.from({ length: 16 }, () => clients[0]!.send(new RunInstancesCommand({ ImageId: "ami-12345678", MinCount: 1, MaxCount: 1, SubnetId: subnetId }))));
    const addresses = launched.map((r) => r.Instances![0]!.PrivateIpAddress);
    assert.equal(new Set(addresses).size, 16, addresses.join(" "));
  } finally {
    await server.stop();
  }
});

test("CLI commands that write (dig, apply) while the server takes writes lose none of them", async () => {
  const data = fresh();
  const server = await startProcess(["--data", data]);
  try {
    const client = ec2(server);
    const { Vpc } = await client.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
    const { Subnet } = await client.send(new CreateSubnetCommand({ VpcId: Vpc!.VpcId!, CidrBlock: "10.0.1.0/24" }));
    await client.send(new RunInstancesCommand({ ImageId: "ami-12345678", MinCount: 1, MaxCount: 1, SubnetId: Subnet!.SubnetId!, TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "box" }] }] }));
    const run = promisify(execFile);
    const cli = async (): Promise<void> => {
      for (let i = 0; i < 6; i++) {
        await run(process.execPath, [BIN, "--data", data, "dig", "--from", "box", "s3.ap-northeast-2.amazonaws.com"], { cwd: ROOT });
        await run(process.execPath, [BIN, "--data", data, "apply", join(ROOT, "examples/lab1-gateway-endpoint.yaml")], { cwd: ROOT });
      }
    };
    const acknowledged: string[] = [];
    const writes = async (): Promise<void> => {
      for (let i = 0; i < 150; i++) acknowledged.push((await client.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }))).Vpc!.VpcId!);
    };
    await Promise.all([cli(), writes()]);
    assert.equal(new Set(acknowledged).size, acknowledged.length, "no id handed out twice");
    const held = new Set((await client.send(new DescribeVpcsCommand({}))).Vpcs!.map((v) => v.VpcId!));
    assert.deepEqual(acknowledged.filter((id) => !held.has(id)), [], "every acknowledged VPC is still there");
  } finally {
    await server.stop();
  }
});

test("the CLI sees what the server built, and the server sees an import", async () => {
  const data = fresh();
  const server = await startProcess(["--data", data]);
  try {
    const client = ec2(server);
    const { Vpc } = await client.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16", TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "Name", Value: "shared" }] }] }));
    const shown = JSON.parse(vpclab(data, "show", "--output", "json").out) as { vpcs: { id: string }[] };
    assert.deepEqual(shown.vpcs.map((v) => v.id), [Vpc!.VpcId]);

    const file = join(mkdtempSync(join(tmpdir(), "vpclab-export-")), "world.json");
    assert.equal(vpclab(data, "state", "export", file).code, 0);
    await client.send(new CreateVpcCommand({ CidrBlock: "10.1.0.0/16" }));
    assert.equal((await client.send(new DescribeVpcsCommand({}))).Vpcs!.length, 2);
    const imported = vpclab(data, "state", "import", file);
    assert.equal(imported.code, 0, imported.err);
    assert.deepEqual((await client.send(new DescribeVpcsCommand({}))).Vpcs!.map((v) => v.VpcId), [Vpc!.VpcId], "the running server reloads the imported world");

    const world = JSON.parse(readFileSync(file, "utf8")) as { vpcs: unknown[] };
    world.vpcs = [];
    const dangling = join(mkdtempSync(join(tmpdir(), "vpclab-export-")), "dangling.json");
    writeFileSync(dangling, JSON.stringify(world));
    const refused = vpclab(data, "state", "import", dangling);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /does not hold together: \d+ reference\(s\).*nothing was changed/);
    const bad = vpclab(data, "state", "import", join(ROOT, "package.json"));
    assert.equal(bad.code, 2);
    assert.match(bad.err, /not a vpclab world/);
    assert.equal((await client.send(new DescribeVpcsCommand({}))).Vpcs!.length, 1, "a bad import changes nothing");

    // Reset while the server runs: the server starts over too, and what it builds next is kept.
    assert.equal(vpclab(data, "reset").code, 0);
    assert.deepEqual((await client.send(new DescribeVpcsCommand({}))).Vpcs, []);
    const after = (await client.send(new CreateVpcCommand({ CidrBlock: "10.7.0.0/16" }))).Vpc!.VpcId!;
    assert.deepEqual((JSON.parse(vpclab(data, "show", "--output", "json").out) as { vpcs: { id: string }[] }).vpcs.map((v) => v.id), [after]);
  } finally {
    await server.stop();
  }
  const restarted = await startProcess(["--data", data]);
  try {
    assert.deepEqual((await ec2(restarted).send(new DescribeVpcsCommand({}))).Vpcs!.map((v) => v.CidrBlock), ["10.7.0.0/16"]);
  } finally {
    await restarted.stop();
  }
});

test("vpclab up refuses contradictory or unknown options with exit status 2", () => {
  for (const [args, why] of [
    [["--region", "mars-1"], /vpclab knows .*ap-northeast-2.*not 'mars-1'/],
    [["--ephemeral", "--data", "/tmp/x"], /does not go with --data/],
    [["--no-dns", "--dns-port", "9000"], /contradict/],
    [["--port", "70000"], /port number/],
  ] as const) {
    const r = spawnSync(process.execPath, [BIN, "up", ...args], { cwd: ROOT, encoding: "utf8", timeout: 20_000 });
    assert.equal(r.status, 2, args.join(" "));
    assert.match(r.stderr, why);
  }
});
