// `vpclab up` as a real child process: started on a free port, stopped gently or with kill -9.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const BIN = join(ROOT, "dist/src/cli/main.js");

export interface ServerProcess { endpoint: string; port: number; child: ChildProcess; output: () => string; stop(signal?: NodeJS.Signals): Promise<number | null> }

export function startProcess(args: string[]): Promise<ServerProcess> {
  // Tests run in parallel: no DNS server unless a test asks for one on its own port.
  const dns = args.includes("--dns-port") ? [] : ["--no-dns"];
  const child = spawn(process.execPath, [BIN, "up", "--port", "0", ...dns, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vpclab up did not start: ${output}`)), 20_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = /listening on (http:\/\/[\d.]+:(\d+))/.exec(output);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        endpoint: m[1]!, port: Number(m[2]), child, output: () => output,
        stop: (signal = "SIGTERM") => new Promise((done) => {
          if (child.exitCode !== null) return done(child.exitCode);
          child.once("exit", (code) => done(code));
          child.kill(signal);
        }),
      });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (c: Buffer) => { output += c.toString(); });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`vpclab up exited (${String(code)}): ${output}`));
    });
  });
}
