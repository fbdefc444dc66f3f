// Shared pieces of the benchmark (not a test): processes pinned to cores, the service as a
// child process, free ports below 32768 on 127.0.0.1, memory from /proc, percentiles.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Whether `taskset` can pin processes (util-linux); without it nothing is pinned. */
export const TASKSET = (() => {
  try {
    execFileSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** The measured server runs on this core, load generators on the other (2-core machine). */
export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

/** Prefixes a command with `taskset -c <core>` when pinning is available. */
export function pinned(core: number, command: string, args: string[]): [string, string[]] {
  return TASKSET ? ["taskset", ["-c", String(core), command, ...args]] : [command, args];
}

/** Pins this process (all its threads) to a core. */
export function pinSelf(core: number): void {
  if (TASKSET) execFileSync("taskset", ["-a", "-p", "-c", String(core), String(process.pid)], { stdio: "ignore" });
}

const children = new Set<ChildProcess>();

/** Kills every child still running (on a budget overrun, a signal or a failure). */
export function killChildren(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
}

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

const usedPorts = new Set<number>();

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (usedPorts.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
    if (free) {
      usedPorts.add(port);
      return port;
    }
  }
  throw new Error("no free port below 32768");
}

/** A child process with the tail of its output kept for error messages. */
export interface Proc {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export function startProcess(core: number, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Proc {
  const [cmd, argv] = pinned(core, command, args);
  const child = track(spawn(cmd, argv, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env }));
  let out = "";
  const keep = (c: Buffer) => (out = (out + c.toString()).slice(-20_000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  return {
    child,
    pid: child.pid!,
    output: () => out,
    stop: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
        child.once("exit", () => {
          clearTimeout(t);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

export interface ServerOptions {
  fixture: string;
  /** The sim's `delays` setting (JSON), 0 by default. */
  delays?: unknown;
  /** A data directory for the journal; undefined runs with --journal=false. */
  dataDir?: string;
  extraArgs?: string[];
}

/** Our service (`node --import tsx src/main.ts`) on 127.0.0.1, pinned to the server core; resolves once it answers. */
export async function startServer(opts: ServerOptions): Promise<Proc & { address: string; startupMs: number }> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const t0 = performance.now();
  const proc = startProcess(SERVER_CORE, process.execPath, [
    // e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the service.
    ...(process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean),
    "--import",
    "tsx",
    "src/main.ts",
    "--listen",
    address,
    "--log-level",
    "warn",
    "--backend-opt",
    `fixture=${opts.fixture}`,
    "--backend-opt",
    `delays=${JSON.stringify(opts.delays ?? 0)}`,
    ...(opts.dataDir ? ["--data-dir", opts.dataDir] : ["--journal=false"]),
    ...(opts.extraArgs ?? []),
  ]);
  await waitReady(address, proc, 120_000);
  return { ...proc, address, startupMs: Math.round(performance.now() - t0) };
}

/** Waits until `GetStatus` answers (any status: the service is serving). */
export async function waitReady(address: string, proc: Proc, timeoutMs: number): Promise<void> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`process exited: ${proc.output().slice(-3000)}`);
      const ok = await new Promise<boolean>((resolve) =>
        client.makeUnaryRequest(
          "/ceph_orchestrator.v1.OrchestratorService/GetStatus",
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.alloc(0),
          new grpc.Metadata(),
          { deadline: Date.now() + 1000 },
          (err) => resolve(!err),
        ),
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`not ready after ${timeoutMs / 1000} s: ${proc.output().slice(-3000)}`);
  } finally {
    client.close();
  }
}

/** VmRSS and VmHWM (peak RSS) of a process, in bytes. */
export function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

/** A unary call with raw bytes both ways. */
export function rawCall(client: grpc.Client, path: string, request: Uint8Array, timeoutMs = 60_000): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from(request),
      new grpc.Metadata(),
      { deadline: Date.now() + timeoutMs },
      (err, res) => (err ? reject(err) : resolve(res!)),
    ),
  );
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Rounds to `digits` significant-looking decimals for tables. */
export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function machine() {
  const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "";
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? "unknown";
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(existsSync("/proc/meminfo") ? readFileSync("/proc/meminfo", "utf8") : "")?.[1] ?? 0);
  return { cpuModel: model, memGiB: round(memKb / 1024 / 1024, 1) };
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) in parentheses: utime is the 14th field, stime the 15th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();
