// The real process (`node --import tsx src/main.ts`), spawned on a loopback port below
// 32768: --help, a bad backend, and a graceful shutdown on SIGTERM/SIGINT with a write in
// flight (it completes within the grace period, or ends cancelled after it; new calls are
// refused; the process exits 0). Every spawned process is killed in afterEach, also when a
// test fails.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { Operation_State as S, type Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { Api, firstOp, type OpStream, rejection } from "../conformance/api.js";
import { makeClients } from "../support/harness.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

interface Child {
  proc: ChildProcess;
  port: number;
  address: string;
  /** stdout and stderr so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once the output contains `text`. */
  saw(text: string | RegExp, timeoutMs?: number): Promise<void>;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
const clients: grpc.Client[] = [];

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  for (const p of children.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A free TCP port below 32768 (the ephemeral range starts above it on Linux). */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const ok = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error("no free port below 32768");
}

function env(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("CEPH_ORCH_")));
}

function run(args: string[], port = 0): Child {
  const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts", ...args], { cwd: ROOT, env: env(), stdio: ["ignore", "pipe", "pipe"] });
  children.push(proc);
  let out = "";
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  const feed = (b: Buffer) => {
    out += b.toString();
    for (const w of [...waiters]) if (w.re.test(out)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  proc.stdout!.on("data", feed);
  proc.stderr!.on("data", feed);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal })));
  return {
    proc,
    port,
    address: `127.0.0.1:${port}`,
    output: () => out,
    exited,
    saw: (text, timeoutMs = 20_000) =>
      new Promise<void>((resolve, reject) => {
        const re = typeof text === "string" ? new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : text;
        if (re.test(out)) return resolve();
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} in output:\n${out}`)), timeoutMs);
        waiters.push({ re, resolve: () => (clearTimeout(timer), resolve()) });
        void exited.then(() => setTimeout(() => reject(new Error(`process exited before ${re}; output:\n${out}`)), 50));
      }),
  };
}

/** Starts the service with the sim and the given delays, and waits until it answers. */
async function serve(delays: Record<string, number>, extra: string[] = []): Promise<Child & { api: Api }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "ceph-orch-shutdown-"));
  dirs.push(dir);
  const allDelays = JSON.stringify({ ...delays });
  const child = run(["--listen", `127.0.0.1:${port}`, "--data-dir", dir, "--log-level", "info", "--backend-opt", `delays=${allDelays}`, ...extra], port);
  await child.saw('"msg":"serving"');
  const c = makeClients(child.address);
  clients.push(...(Object.values(c) as grpc.Client[]));
  const api = new Api(c);
  expect((await api.getStatus({ deadlineMs: 5000 })).available).toBe(true);
  return Object.assign(child, { api });
}

/** Collects a stream's messages and how it ended, without throwing. */
function track(s: OpStream): { msgs: Operation[]; ended: Promise<{ code: grpc.status; details: string }> } {
  const msgs: Operation[] = [];
  s.on("data", (m: { operation?: Operation }) => m.operation && msgs.push(m.operation));
  const ended = new Promise<{ code: grpc.status; details: string }>((resolve) => {
    s.on("error", (e: grpc.ServiceError) => resolve({ code: e.code, details: e.details }));
    s.on("status", (st: grpc.StatusObject) => st.code === grpc.status.OK && resolve({ code: st.code, details: st.details }));
  });
  return { msgs, ended };
}

/** A call on a brand-new channel, as a client arriving now would make. */
async function freshCall(address: string): Promise<grpc.status> {
  const c = makeClients(address);
  clients.push(...(Object.values(c) as grpc.Client[]));
  try {
    await new Api(c).getStatus({ deadlineMs: 3000 });
    return grpc.status.OK;
  } catch (e) {
    return (e as grpc.ServiceError).code;
  }
}

describe("the command line", () => {
  it("--help exits 0 and lists the options", async () => {
    const c = run(["--help"]);
    const { code } = await c.exited;
    expect(code).toBe(0);
    for (const opt of ["--listen", "--backend", "--backend-opt", "--shutdown-grace", "--log-level", "--max-parallel-hosts"]) expect(c.output()).toContain(opt);
  });

  it("--backend nosuch exits non-zero with a message naming the backend", async () => {
    const port = await freePort();
    const c = run(["--listen", `127.0.0.1:${port}`, "--journal=false", "--backend", "nosuch"]);
    const { code } = await c.exited;
    expect(code).not.toBe(0);
    expect(c.output()).toMatch(/unknown backend 'nosuch'/);
    expect(c.output()).toContain("sim");
  });

  it("an unknown flag exits 2 with the error and the usage", async () => {
    const c = run(["--no-such-flag"]);
    const { code } = await c.exited;
    expect(code).toBe(2);
    expect(c.output()).toMatch(/no-such-flag/);
    expect(c.output()).toContain("--listen");
  });

  it("a bad sim option stops the start-up naming the key", async () => {
    const port = await freePort();
    const c = run(["--listen", `127.0.0.1:${port}`, "--journal=false", "--backend-opt", "delays=-5"]);
    const { code } = await c.exited;
    expect(code).not.toBe(0);
    expect(c.output()).toMatch(/delays/);
  });
});

describe("graceful shutdown", () => {
  it("SIGTERM: the write in flight completes, its stream ends OK, new calls are refused, exit 0", async () => {
    const srv = await serve({ addHost: 1500 }, ["--journal=false"]);
    const s = srv.api.addHost({ host: { hostname: "node-4" } });
    const t = track(s);
    const first = await firstOp(s);
    s.resume();
    expect(first.state).toBe(S.STATE_ACCEPTED);
    srv.proc.kill("SIGTERM");
    await srv.saw('"msg":"shutting down"');
    expect(grpc.status[await freshCall(srv.address)]).toBe("UNAVAILABLE");
    const end = await t.ended;
    expect(grpc.status[end.code]).toBe("OK");
    expect(t.msgs.at(-1)).toMatchObject({ id: first.id, state: S.STATE_SUCCEEDED, done: true });
    expect(await srv.exited).toEqual({ code: 0, signal: null });
    expect(srv.output()).toContain('"msg":"stopped"');
  });

  it("SIGINT too", async () => {
    const srv = await serve({}, ["--journal=false"]);
    srv.proc.kill("SIGINT");
    expect(await srv.exited).toEqual({ code: 0, signal: null });
  });

  it("a write longer than the grace period ends CANCELLED in its stream, and the process exits 0", async () => {
    const srv = await serve({ addHost: 60_000 }, ["--journal=false", "--shutdown-grace", "300"]);
    const s = srv.api.addHost({ host: { hostname: "node-4" } });
    const t = track(s);
    const first = await firstOp(s);
    s.resume();
    srv.proc.kill("SIGTERM");
    const end = await t.ended;
    expect(grpc.status[end.code]).toBe("OK");
    expect(t.msgs.at(-1)).toMatchObject({ id: first.id, state: S.STATE_CANCELLED, done: true });
    expect(t.msgs.at(-1)!.message).toMatch(/shutting down/);
    expect(await srv.exited).toEqual({ code: 0, signal: null });
  });

  it("with the journal, a write cut off by the shutdown is resumed by the next start and succeeds", async () => {
    const srv = await serve({ addHost: 1500 }, ["--shutdown-grace", "200"]);
    const s = srv.api.addHost({ host: { hostname: "node-4" } });
    const t = track(s);
    const first = await firstOp(s);
    s.resume();
    await new Promise((r) => setTimeout(r, 100));
    srv.proc.kill("SIGTERM");
    await t.ended;
    expect(t.msgs.some((m) => m.persistent), "the operation was recorded before the shutdown").toBe(true);
    expect((await srv.exited).code).toBe(0);

    // The same data directory, a new process.
    const dir = dirs.at(-1)!;
    const port = await freePort();
    const again = run(["--listen", `127.0.0.1:${port}`, "--data-dir", dir, "--log-level", "info", "--backend-opt", 'delays={"addHost":50}'], port);
    await again.saw('"msg":"serving"');
    const c = makeClients(again.address);
    clients.push(...(Object.values(c) as grpc.Client[]));
    const api = new Api(c);
    const done = await api.waitOperations({ ids: [first.id], timeout: { seconds: "20", nanos: 0 } });
    expect(done.operations[0]).toMatchObject({ id: first.id, state: S.STATE_SUCCEEDED });
    expect((await api.listHosts()).hosts.map((h) => h.hostname)).toContain("node-4");
    again.proc.kill("SIGTERM");
    expect((await again.exited).code).toBe(0);
  });

  it("SIGTERM ends the process within the grace period even if a client stops reading its stream", async () => {
    const srv = await serve({ upgradeDaemon: 10 }, ["--journal=false", "--shutdown-grace", "300"]);
    const s = srv.api.startUpgrade({ targetVersion: "18.2.4" });
    s.on("error", () => undefined);
    const id = (await firstOp(s)).id; // and then never read again
    await srv.api.waitOperations({ ids: [id], timeout: { seconds: "10", nanos: 0 } });
    srv.proc.kill("SIGTERM");
    const outcome = await Promise.race([srv.exited, new Promise((r) => setTimeout(() => r("still running after 10 s"), 10_000))]);
    expect(outcome).toEqual({ code: 0, signal: null });
  });

  it("a server that is shutting down refuses new calls on an existing connection", async () => {
    const srv = await serve({ addHost: 1500 }, ["--journal=false"]);
    const s = srv.api.addHost({ host: { hostname: "node-4" } });
    const t = track(s);
    await firstOp(s);
    s.resume();
    srv.proc.kill("SIGTERM");
    await srv.saw('"msg":"shutting down"');
    const e = await rejection(srv.api.listHosts({}, { deadlineMs: 3000 }));
    expect(["UNAVAILABLE", "CANCELLED"]).toContain(grpc.status[e.code]);
    await t.ended;
    expect((await srv.exited).code).toBe(0);
  });
});
