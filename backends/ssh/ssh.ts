// The SSH layer of the ssh backend: one pooled connection per host (ssh2, pure JavaScript),
// kept alive, the host key checked against a known_hosts file, every command with a timeout.
import { createHmac } from "node:crypto";
import type { Logger } from "pino";
import { Client, type ClientChannel } from "ssh2";

export interface SshTarget {
  hostname: string;
  addr: string;
}

export interface SshOptions {
  user: string;
  port: number;
  privateKey: Buffer;
  /** known_hosts lines, already read. */
  knownHosts: string;
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  commandTimeoutMs: number;
  /** Channels one connection runs at once (sshd's MaxSessions is 10 by default). */
  maxChannels: number;
  log: Logger;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  stdin?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The host cannot be reached (connect refused or timed out, the host key is wrong, auth failed). */
export class UnreachableError extends Error {
  constructor(
    readonly hostname: string,
    message: string,
  ) {
    super(message);
  }
}

/** A remote command ran and failed, or ran out of time. */
export class RemoteCommandError extends Error {
  constructor(
    readonly hostname: string,
    message: string,
    readonly result?: ExecResult,
  ) {
    super(message);
  }
}

interface KnownKey {
  hosts: string[];
  hashed: { salt: Buffer; hash: string }[];
  key: string;
}

function parseKnownHosts(text: string): KnownKey[] {
  const out: KnownKey[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("@")) continue;
    const [hostField, , key] = line.split(/\s+/);
    if (!hostField || !key) continue;
    const hosts: string[] = [];
    const hashed: KnownKey["hashed"] = [];
    for (const h of hostField.split(",")) {
      const m = /^\|1\|([^|]+)\|(.+)$/.exec(h);
      if (m) hashed.push({ salt: Buffer.from(m[1]!, "base64"), hash: m[2]! });
      else hosts.push(h);
    }
    out.push({ hosts, hashed, key });
  }
  return out;
}

/** The names known_hosts uses for a host: "addr", or "[addr]:port" off port 22. */
function knownNames(addr: string, port: number): string[] {
  return port === 22 ? [addr] : [`[${addr}]:${port}`];
}

interface Conn {
  client: Client;
  ready: Promise<Client>;
  active: number;
  waiters: (() => void)[];
}

export class SshPool {
  private readonly conns = new Map<string, Conn>();
  private readonly known: KnownKey[];
  private closed = false;

  constructor(private readonly opts: SshOptions) {
    this.known = parseKnownHosts(opts.knownHosts);
  }

  private hostKeyMatches(addr: string, key: Buffer): boolean {
    const b64 = key.toString("base64");
    const names = knownNames(addr, this.opts.port);
    return this.known.some(
      (k) =>
        k.key === b64 &&
        (k.hosts.some((h) => names.includes(h)) ||
          k.hashed.some((h) => names.some((n) => createHmac("sha1", h.salt).update(n).digest("base64") === h.hash))),
    );
  }

  private connect(t: SshTarget): Conn {
    const key = `${t.hostname}@${t.addr}`;
    const existing = this.conns.get(key);
    if (existing) return existing;
    const client = new Client();
    let keyRejected = false;
    const ready = new Promise<Client>((resolve, reject) => {
      client.once("ready", () => resolve(client));
      client.once("error", (err: Error) => {
        this.conns.delete(key);
        const why = keyRejected ? `its host key is not the one in known_hosts` : err.message;
        reject(new UnreachableError(t.hostname, `host ${t.hostname} (${t.addr}:${this.opts.port}) is unreachable over SSH: ${why}`));
      });
      client.once("close", () => {
        if (this.conns.get(key)?.client === client) this.conns.delete(key);
        reject(new UnreachableError(t.hostname, `host ${t.hostname} (${t.addr}:${this.opts.port}): the SSH connection closed`));
      });
    });
    ready.catch(() => undefined);
    client.connect({
      host: t.addr,
      port: this.opts.port,
      username: this.opts.user,
      privateKey: this.opts.privateKey,
      readyTimeout: this.opts.connectTimeoutMs,
      keepaliveInterval: this.opts.keepaliveIntervalMs,
      keepaliveCountMax: this.opts.keepaliveCountMax,
      hostVerifier: (hostKey: Buffer) => {
        const ok = this.hostKeyMatches(t.addr, hostKey);
        if (!ok) keyRejected = true;
        return ok;
      },
    });
    const conn: Conn = { client, ready, active: 0, waiters: [] };
    this.conns.set(key, conn);
    return conn;
  }

  /** Whether a connection to the host is open now (no network traffic). */
  isConnected(t: SshTarget): boolean {
    return this.conns.has(`${t.hostname}@${t.addr}`);
  }

  /** Runs `command` on the host; rejects with UnreachableError or RemoteCommandError (non-zero exit, timeout). */
  async exec(t: SshTarget, command: string, o: ExecOptions = {}): Promise<ExecResult> {
    const r = await this.run(t, command, o);
    if (r.code !== 0) {
      const tail = (r.stderr.trim() || r.stdout.trim()).split("\n").slice(-6).join(" | ");
      throw new RemoteCommandError(t.hostname, `on host ${t.hostname}: \`${short(command)}\` failed (exit ${r.code}): ${tail}`, r);
    }
    return r;
  }

  /** Runs `command`; resolves with its exit code whatever it is. */
  async run(t: SshTarget, command: string, o: ExecOptions = {}): Promise<ExecResult> {
    if (this.closed) throw new UnreachableError(t.hostname, "the SSH pool is closed");
    const conn = this.connect(t);
    const client = await conn.ready;
    while (conn.active >= this.opts.maxChannels) await new Promise<void>((r) => conn.waiters.push(r));
    conn.active++;
    try {
      return await this.execOn(t, client, command, o);
    } finally {
      conn.active--;
      conn.waiters.shift()?.();
    }
  }

  private execOn(t: SshTarget, client: Client, command: string, o: ExecOptions): Promise<ExecResult> {
    const timeoutMs = o.timeoutMs ?? this.opts.commandTimeoutMs;
    return new Promise((resolve, reject) => {
      let stream: ClientChannel | undefined;
      let done = false;
      const finish = (err: Error | undefined, r?: ExecResult) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        o.signal?.removeEventListener("abort", onAbort);
        if (err) {
          try {
            stream?.close();
          } catch {
            /* closed already */
          }
          reject(err);
        } else resolve(r!);
      };
      const timer = setTimeout(
        () => finish(new RemoteCommandError(t.hostname, `on host ${t.hostname}: \`${short(command)}\` timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onAbort = () => finish(new RemoteCommandError(t.hostname, `on host ${t.hostname}: \`${short(command)}\` was cancelled`));
      o.signal?.addEventListener("abort", onAbort);
      client.exec(command, (err, ch) => {
        if (err) {
          // The connection is unusable (e.g. the peer went away): drop it so the next call reconnects.
          client.end();
          finish(new UnreachableError(t.hostname, `host ${t.hostname} (${t.addr}): ${err.message}`));
          return;
        }
        stream = ch;
        const out: Buffer[] = [];
        const errs: Buffer[] = [];
        let code: number | undefined;
        ch.on("data", (b: Buffer) => out.push(b));
        ch.stderr.on("data", (b: Buffer) => errs.push(b));
        ch.on("exit", (c: number | null, signal?: string) => {
          code = c ?? (signal ? 128 : -1);
        });
        ch.on("close", () => {
          if (code === undefined) {
            // No exit status: the connection went away under the command (e.g. sshd stopped),
            // which says nothing about the command itself. Drop it so the next call reconnects.
            client.end();
            finish(new UnreachableError(t.hostname, `host ${t.hostname} (${t.addr}): the SSH connection was lost while \`${short(command)}\` ran`));
            return;
          }
          finish(undefined, { code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(errs).toString("utf8") });
        });
        if (o.stdin !== undefined) ch.end(o.stdin);
        else ch.end();
      });
    });
  }

  /** Closes the connection to one host (e.g. when it is removed). */
  drop(t: SshTarget): void {
    const key = `${t.hostname}@${t.addr}`;
    this.conns.get(key)?.client.end();
    this.conns.delete(key);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.conns.values()) c.client.end();
    this.conns.clear();
  }
}

function short(command: string): string {
  const one = command.replace(/\s+/g, " ").trim();
  return one.length > 120 ? `${one.slice(0, 117)}...` : one;
}
