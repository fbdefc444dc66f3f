// The hosts as the ssh backend reaches them: commands and scripts run over the pooled SSH
// connections, files written, and whether each host answered last (probed every 5 s). Also
// what it installs on every host (under /var/lib/ceph/orch): `orchctl`, which runs the host's
// Ceph daemons as systemd units where systemd runs and as supervised processes elsewhere, and
// `cephq`, which asks the cluster many questions in one process (librados), answering JSON.
// Both are files of ./scripts, as are the scripts the backend runs on hosts.
import { readFileSync } from "node:fs";
import type { Logger } from "pino";
import { CancelledError } from "../../src/backend/errors.js";
import type { SshConfig } from "./config.js";
import { type ExecResult, RemoteCommandError, SshPool, UnreachableError } from "./ssh.js";
import type { HostRecord, SshState } from "./state.js";

export const ORCH_DIR = "/var/lib/ceph/orch";
export const ORCHCTL = `${ORCH_DIR}/orchctl`;
export const CEPHQ = `${ORCH_DIR}/cephq`;
const PROBE_INTERVAL_MS = 5000;

/** A file of ./scripts, read once at start-up (the installed tools and the scripts run on hosts). */
export function scriptFile(name: string): string {
  return readFileSync(new URL(`./scripts/${name}`, import.meta.url), "utf8");
}

/** orchctl start|stop|restart|hup|remove|status NAME (see scripts/orchctl.sh). */
export const ORCHCTL_SCRIPT = scriptFile("orchctl.sh");
/** cephq: a JSON list of cluster commands on stdin, their replies on stdout (see scripts/cephq.py). */
export const CEPHQ_SCRIPT = scriptFile("cephq.py");

/** Single-quotes a word for a POSIX shell. */
export function shq(s: string | number): string {
  return `'${String(s).replace(/'/g, `'\\''`)}'`;
}

interface HostProbe {
  reachable: boolean;
  message: string;
  at: number;
}

export interface RunOptions {
  stdin?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** false: a non-zero exit is a result, not a failure. */
  check?: boolean;
}

export class Remote {
  readonly pool: SshPool;
  private readonly probes = new Map<string, HostProbe>();
  private probeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: SshConfig,
    log: Logger,
    private readonly state: SshState,
  ) {
    this.pool = new SshPool({
      user: config.user,
      port: config.port,
      privateKey: readFileSync(config.identityFile),
      knownHosts: readFileSync(config.knownHostsFile, "utf8"),
      connectTimeoutMs: config.connectTimeoutMs,
      keepaliveIntervalMs: config.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      commandTimeoutMs: config.commandTimeoutMs,
      maxChannels: 8,
      log,
    });
  }

  startProbing(): void {
    void this.probeAll();
    this.probeTimer = setInterval(() => void this.probeAll(), PROBE_INTERVAL_MS);
    this.probeTimer.unref();
  }

  async close(): Promise<void> {
    if (this.probeTimer) clearInterval(this.probeTimer);
    await this.pool.close();
  }

  /** How the host answered last; undefined before it was asked anything. */
  probe(hostname: string): HostProbe | undefined {
    return this.probes.get(hostname);
  }

  noteReachable(hostname: string, ok: boolean, message = ""): void {
    this.probes.set(hostname, { reachable: ok, message, at: Date.now() });
  }

  /** A removed host: its probe and its connection go. */
  forget(host: HostRecord): void {
    this.probes.delete(host.hostname);
    this.pool.drop({ hostname: host.hostname, addr: host.addr });
  }

  /** Runs a command on a host; a failure to reach it marks it offline. */
  async sh(hostname: string, command: string, o: RunOptions = {}): Promise<ExecResult> {
    const h = this.state.host(hostname);
    const target = { hostname: h.hostname, addr: h.addr };
    try {
      const r = o.check === false ? await this.pool.run(target, command, o) : await this.pool.exec(target, command, o);
      this.noteReachable(hostname, true);
      return r;
    } catch (e) {
      if (e instanceof UnreachableError) this.noteReachable(hostname, false, e.message);
      else if (e instanceof RemoteCommandError && !/timed out|cancelled/.test(e.message)) this.noteReachable(hostname, true);
      if (o.signal?.aborted) throw new CancelledError();
      throw e;
    }
  }

  /** Runs a bash script (one of ./scripts, sent on stdin) with arguments on a host. */
  script(hostname: string, body: string, args: (string | number)[] = [], o: Omit<RunOptions, "stdin"> = {}): Promise<ExecResult> {
    return this.sh(hostname, `bash -s -- ${args.map(shq).join(" ")}`, { ...o, stdin: `set -euo pipefail\nexport PATH=/usr/sbin:/usr/bin:/sbin:/bin\n${body}` });
  }

  async putFile(hostname: string, path: string, content: string, mode = "0644"): Promise<void> {
    const dir = path.slice(0, path.lastIndexOf("/")) || "/";
    await this.sh(hostname, `mkdir -p ${shq(dir)} && umask 077 && cat > ${shq(path)}.tmp && chmod ${mode} ${shq(path)}.tmp && mv ${shq(path)}.tmp ${shq(path)}`, { stdin: content });
  }

  private async probeAll(): Promise<void> {
    await Promise.all(
      this.state.hosts.map(async (h) => {
        try {
          await this.sh(h.hostname, "true", { timeoutMs: this.config.connectTimeoutMs });
        } catch {
          /* recorded by sh() */
        }
      }),
    );
  }
}
