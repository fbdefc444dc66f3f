// The real service as a child process (`node --import tsx src/main.ts`), for tests that
// kill it. Every process started here is tracked: call killAll() in afterAll/afterEach.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import net from "node:net";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

const children = new Set<ChildProcess>();

export interface ServiceProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves with the exit code (or null when killed by a signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it wrote to stdout and stderr. */
  output(): string;
}

/** Starts the service with `args`; stdout and stderr are kept (and appended to `logFile`). */
export function startService(args: string[], logFile?: string): ServiceProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  children.add(child);
  let text = "";
  const log: WriteStream | undefined = logFile ? createWriteStream(logFile, { flags: "a" }) : undefined;
  const keep = (chunk: Buffer) => {
    text += chunk.toString("utf8");
    if (text.length > 4_000_000) text = text.slice(-2_000_000);
    log?.write(chunk);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      children.delete(child);
      // Let the pipes drain before the log file closes.
      setImmediate(() => log?.end());
      resolve({ code, signal });
    }),
  );
  return { child, pid: child.pid!, exited, output: () => text };
}

/** Resolves once the service logs that it serves; rejects if it exits first or takes too long. */
export async function waitServing(p: ServiceProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void p.exited.then(() => (exited = true));
  while (!/"msg":"serving"/.test(p.output())) {
    if (exited) throw new Error(`the service exited before serving:\n${p.output().slice(-4000)}`);
    if (Date.now() > deadline) throw new Error(`the service did not serve within ${timeoutMs} ms:\n${p.output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** SIGKILLs the process and waits until it is gone. */
export async function killHard(p: ServiceProcess): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  await p.exited;
}

/** Kills every process started here that is still running (for afterAll/afterEach). */
export async function killAll(): Promise<void> {
  const running = [...children];
  for (const c of running) c.kill("SIGKILL");
  await Promise.all(running.map((c) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once("exit", () => resolve())))));
}

/** A free TCP port on 127.0.0.1 below 32768 (outside the ephemeral range). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no free port found below 32768");
}
