// The ssh backend's test environment: the test hosts of scripts/testhosts/up.sh, named by
// CEPH_SSH_TESTHOSTS (their scratch dir), and the service's data dir CEPH_SSH_DATA_DIR,
// shared by the test files that scripts/test-ssh.sh runs one after the other (the cluster
// the first one builds is the one the next ones use). Without them, these tests are skipped,
// or fail under CI=true (test/ssh/ci-guard.ts).
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);

export const TESTHOSTS = process.env.CEPH_SSH_TESTHOSTS ?? "";
export const DATA_DIR = process.env.CEPH_SSH_DATA_DIR ?? "";
export const enabled = TESTHOSTS !== "" && DATA_DIR !== "";

export interface TestHost {
  hostname: string;
  addr: string;
  netns: string;
  loop: string;
  /** systemd runs as PID 1 of the host (scripts/testhosts/up.sh TESTHOSTS_SYSTEMD) */
  systemd?: boolean;
}

export function testHosts(): TestHost[] {
  return JSON.parse(readFileSync(`${TESTHOSTS}/hosts.json`, "utf8")) as TestHost[];
}

/** The flags that start the service with the ssh backend on the test hosts. */
export function serverArgs(): string[] {
  const hosts = testHosts();
  const cephConf = {
    "osd pool default size": "2",
    // 2 copies, and writes only while both are there: with min size 1, an OSD that had taken
    // writes alone (another one briefly down) could take the only copy with it; two CI runs
    // ended with objects unfound after the OSD stop/start and removal tests.
    "osd pool default min size": "2",
    "osd pool default pg num": "8",
    "osd pool default pgp num": "8",
    "osd pool default pg autoscale mode": "off",
    "mon allow pool delete": "true",
    "mon max pg per osd": "1000",
    "mon warn on pool no redundancy": "false",
    "mon data avail warn": "2",
    "mon data avail crit": "1",
    "osd memory target": "939524096",
    "bluestore fsck on mount": "false",
    "mgr initial modules": "iostat",
  };
  const hostDevices = Object.fromEntries(hosts.map((h) => [h.hostname, h.loop ? [h.loop] : []]));
  const opt = (k: string, v: unknown) => ["--backend-opt", `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`];
  return [
    "--backend",
    "ssh",
    "--journal=true",
    "--data-dir",
    DATA_DIR,
    ...opt("identityFile", `${TESTHOSTS}/id_ed25519`),
    ...opt("knownHostsFile", `${TESTHOSTS}/known_hosts`),
    // The test subnet is a /24 (scripts/testhosts/up.sh TESTHOSTS_SUBNET).
    ...opt("publicNetwork", `${hosts[0]!.addr.split(".").slice(0, 3).join(".")}.0/24`),
    ...opt("commandTimeoutMs", 180_000),
    ...opt("connectTimeoutMs", 3000),
    ...opt("osdFileBytes", 4 * 1024 ** 3),
    ...opt("cephConf", cephConf),
    ...opt("hostDevices", hostDevices),
  ];
}

/** Runs a command on a test host over ssh (host key checked), as an operator would. */
export async function onHost(addr: string, command: string, timeoutMs = 60_000): Promise<string> {
  const { stdout } = await run(
    "ssh",
    [
      "-i",
      `${TESTHOSTS}/id_ed25519`,
      "-o",
      `UserKnownHostsFile=${TESTHOSTS}/known_hosts`,
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      "BatchMode=yes",
      "-o",
      "ConnectTimeout=5",
      `root@${addr}`,
      command,
    ],
    { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout;
}

export async function cephJson(addr: string, args: string): Promise<any> {
  return JSON.parse(await onHost(addr, `ceph --connect-timeout 20 ${args} -f json 2>/dev/null`));
}

/** Stops or starts one test host's sshd (scripts/testhosts/sshd.sh). */
export async function sshd(action: "start" | "stop", hostname: string): Promise<void> {
  await run("scripts/testhosts/sshd.sh", [action, hostname], { env: { ...process.env, TESTHOSTS_DIR: TESTHOSTS }, timeout: 30_000 });
}
