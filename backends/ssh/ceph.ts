// Questions to the cluster and changes of it, asked on an admin host (every host has the
// admin keyring): reads through cephq (librados, many commands in one process), writes through
// the ceph CLI. The bootstrap host is asked first, then any other host that answers.
import { CancelledError, ExecutionError } from "../../src/backend/errors.js";
import { errorText } from "./errors.js";
import { CEPHQ, type Remote } from "./remote.js";
import { UnreachableError } from "./ssh.js";
import type { SshState } from "./state.js";

export type Json = Record<string, any>;

export interface CephReply {
  ret: number;
  out: unknown;
  err: string;
}

interface CephCommand {
  target?: "mon" | "mgr";
  cmd: Json;
}

export class CephClient {
  constructor(
    private readonly state: SshState,
    private readonly remote: Remote,
  ) {}

  /** Replies to every command, from one librados session. */
  async ask(cmds: CephCommand[], signal?: AbortSignal): Promise<CephReply[]> {
    const stdout = await this.onAdminHost("cannot reach the cluster: ", `/usr/bin/python3 ${CEPHQ}`, JSON.stringify(cmds), signal);
    return JSON.parse(stdout) as CephReply[];
  }

  /** One command's output; its failure throws. */
  async askOne(cmd: Json, target: "mon" | "mgr" = "mon", signal?: AbortSignal): Promise<unknown> {
    const [r] = await this.ask([{ target, cmd }], signal);
    if (!r || r.ret < 0) throw new ExecutionError(`ceph ${cmd.prefix} failed: ${r?.err || `error ${r?.ret}`}`);
    return r.out;
  }

  /** Runs the ceph CLI (for writes whose arguments the CLI knows best); its stdout. */
  cli(args: string, signal?: AbortSignal): Promise<string> {
    return this.onAdminHost(`ceph ${args}: `, `ceph --connect-timeout 20 ${args}`, undefined, signal);
  }

  /** Hosts to ask cluster questions on, most likely first: the bootstrap host, then reachable ones. */
  private adminHosts(): string[] {
    const names = this.state.hosts.map((h) => h.hostname);
    const score = (n: string) => (this.remote.probe(n)?.reachable === false ? 2 : 0) + (n === this.state.bootstrapHost ? 0 : 1);
    return names.sort((a, b) => score(a) - score(b));
  }

  /** The command's stdout on the first admin host that can be reached. */
  private async onAdminHost(failure: string, command: string, stdin: string | undefined, signal?: AbortSignal): Promise<string> {
    this.state.requireCluster();
    const errors: string[] = [];
    for (const host of this.adminHosts()) {
      try {
        return (await this.remote.sh(host, command, { stdin, timeoutMs: 60_000, signal })).stdout;
      } catch (e) {
        if (e instanceof CancelledError) throw e;
        errors.push(errorText(e));
        if (!(e instanceof UnreachableError)) break;
      }
    }
    throw new ExecutionError(`${failure}${errors.join("; ")}`);
  }
}
