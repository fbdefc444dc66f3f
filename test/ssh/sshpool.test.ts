// The ssh backend's SSH layer against the test hosts' sshds (skipped without them): host keys
// are checked (a key that is not the host's refuses it, naming it), commands time out, and
// connections are reused.
import { readFileSync } from "node:fs";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { SshPool, UnreachableError, RemoteCommandError } from "../../backends/ssh/ssh.js";
import { TEST_HOSTS, skipWithout } from "./ci-guard.js";
import { TESTHOSTS, enabled, sshd, testHosts } from "./env.js";

function pool(knownHosts: string, commandTimeoutMs = 10_000): SshPool {
  return new SshPool({
    user: "root",
    port: 22,
    privateKey: readFileSync(`${TESTHOSTS}/id_ed25519`),
    knownHosts,
    connectTimeoutMs: 3000,
    keepaliveIntervalMs: 1000,
    keepaliveCountMax: 3,
    commandTimeoutMs,
    maxChannels: 4,
    log: pino({ level: "silent" }),
  });
}

describe.skipIf(skipWithout(enabled, TEST_HOSTS))("ssh backend: the SSH layer", () => {
  it("runs commands on a host whose key is in known_hosts, over one connection", async () => {
    const [a] = testHosts();
    const p = pool(readFileSync(`${TESTHOSTS}/known_hosts`, "utf8"));
    try {
      const outs = await Promise.all([1, 2, 3, 4, 5, 6].map(() => p.exec(a!, "hostname")));
      expect(outs.map((o) => o.stdout.trim())).toEqual(Array(6).fill(a!.hostname));
      expect(p.isConnected(a!)).toBe(true);
      const r = await p.run(a!, "echo oops >&2; exit 3");
      expect([r.code, r.stderr.trim()]).toEqual([3, "oops"]);
      await expect(p.exec(a!, "sleep 5", { timeoutMs: 300 })).rejects.toThrow(/cephhost-1.*timed out after 300 ms/);
      await expect(p.exec(a!, "false")).rejects.toBeInstanceOf(RemoteCommandError);
    } finally {
      await p.close();
    }
  });

  it("a connection lost under a command fails it as unreachable, naming the host; the next call reconnects", async () => {
    const [a] = testHosts();
    const p = pool(readFileSync(`${TESTHOSTS}/known_hosts`, "utf8"), 60_000);
    try {
      expect((await p.exec(a!, "hostname")).stdout.trim()).toBe(a!.hostname);
      const running = p.exec(a!, "sleep 30").catch((x: unknown) => x);
      await new Promise((r) => setTimeout(r, 500));
      await sshd("stop", a!.hostname); // the listener and every session
      const e = await running;
      expect(e).toBeInstanceOf(UnreachableError);
      expect(String((e as Error).message)).toMatch(/cephhost-1.*connection was lost while `sleep 30` ran/);
      await sshd("start", a!.hostname);
      expect((await p.exec(a!, "hostname")).stdout.trim()).toBe(a!.hostname);
    } finally {
      await sshd("start", a!.hostname).catch(() => undefined);
      await p.close();
    }
  }, 60_000);

  it("refuses a host whose key is not the one known_hosts has for its address", async () => {
    const [a, b] = testHosts();
    // b's key, listed under a's address.
    const line = readFileSync(`${TESTHOSTS}/known_hosts`, "utf8").split("\n").find((l) => l.startsWith(`${b!.addr} `))!;
    const p = pool(line.replace(b!.addr, a!.addr));
    try {
      const e = await p.exec(a!, "true").catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UnreachableError);
      expect(String((e as Error).message)).toMatch(/cephhost-1.*host key/);
    } finally {
      await p.close();
    }
  });
});
