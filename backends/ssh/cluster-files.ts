// The cluster's files on every host: /etc/ceph/ceph.conf (its mon list follows every mon
// change), the admin keyring and the bootstrap-osd keyring.
import { ExecutionError } from "../../src/backend/errors.js";
import type { Json } from "./ceph.js";
import type { Base } from "./base.js";
import { errorText } from "./errors.js";

export class ClusterFiles {
  /** Serializes changes of ceph.conf's mon list. */
  private confChain: Promise<void> = Promise.resolve();

  constructor(private readonly base: Base) {}

  /** ceph.conf, the admin and bootstrap-osd keyrings, from an admin host to others. */
  async push(hostnames: string[]): Promise<void> {
    const conf = this.cephConf(await this.monAddrs());
    const [admin, bootstrapOsd] = await this.base.ceph.ask([
      { cmd: { prefix: "auth get", entity: "client.admin", format: "plain" } },
      { cmd: { prefix: "auth get", entity: "client.bootstrap-osd", format: "plain" } },
    ]);
    if (!admin || admin.ret < 0 || !bootstrapOsd || bootstrapOsd.ret < 0) throw new ExecutionError(`cannot read the cluster's keyrings: ${admin?.err} ${bootstrapOsd?.err}`);
    await Promise.all(
      hostnames.map(async (h) => {
        await this.base.remote.putFile(h, "/etc/ceph/ceph.conf", conf);
        await this.base.remote.putFile(h, "/etc/ceph/ceph.client.admin.keyring", String(admin.out) + "\n", "0600");
        await this.base.remote.putFile(h, "/var/lib/ceph/bootstrap-osd/ceph.keyring", String(bootstrapOsd.out) + "\n", "0600");
      }),
    );
  }

  /** After a mon change: every reachable host's ceph.conf lists the current mons. */
  refreshConf(): Promise<void> {
    const next = this.confChain.then(async () => {
      const conf = this.cephConf(await this.monAddrs());
      await Promise.all(
        this.base.state.hosts.map((h) =>
          this.base.remote
            .putFile(h.hostname, "/etc/ceph/ceph.conf", conf)
            .catch((e) => this.base.log.warn({ hostname: h.hostname, err: errorText(e) }, "ssh: could not update ceph.conf")),
        ),
      );
    });
    this.confChain = next.catch(() => undefined);
    return next;
  }

  /** The cluster's ceph.conf with these mons (address vectors). */
  cephConf(monHost: string[]): string {
    const lines = [
      "# Written by the ceph-orchestrator-grpc ssh backend.",
      "[global]",
      `fsid = ${this.base.state.fsid}`,
      `mon host = ${monHost.join(",")}`,
      `public network = ${this.base.config.publicNetwork}`,
      "ms bind ipv6 = false",
      "auth cluster required = cephx",
      "auth service required = cephx",
      "auth client required = cephx",
      "auth allow insecure global id reclaim = false",
      "mon warn on insecure global id reclaim = false",
      "mon warn on insecure global id reclaim allowed = false",
      ...Object.entries(this.base.config.cephConf).map(([k, v]) => `${k} = ${v}`),
      "",
      "[client]",
      "; CLI clients: no admin socket (concurrent CLIs would collide on one)",
      "admin socket =",
      "",
    ];
    return lines.join("\n");
  }

  /** The mons' address vectors from the monmap. */
  private async monAddrs(): Promise<string[]> {
    const dump = (await this.base.ceph.askOne({ prefix: "mon dump" })) as Json;
    return (dump.mons as Json[]).map((m) => `[${(m.public_addrs.addrvec as Json[]).map((a) => `${a.type}:${a.addr}`).join(",")}]`);
  }
}
