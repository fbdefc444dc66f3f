// The conformance suite against the ssh backend on the cluster test/ssh/cluster.test.ts built
// on the test hosts (scripts/test-ssh.sh runs the two in order; skipped without them). The
// spare machine is the fourth test host; the OSD goes on cephhost-2's loop device through
// ceph-volume raw; the stateless service is an RGW (an MDS service would leave a file system
// behind); the daemon stopped and started is an OSD.
import { describe } from "vitest";
import { ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { startHarness } from "../support/harness.js";
import { TEST_HOSTS, skipWithout } from "../ssh/ci-guard.js";
import { enabled, serverArgs, testHosts } from "../ssh/env.js";
import { Api, allRpcs } from "./api.js";
import { defineConformanceSuite } from "./suite.js";

if (!skipWithout(enabled, TEST_HOSTS)) {
  defineConformanceSuite(
    "ssh (real Ceph 16.2 on the test hosts)",
    async () => {
      const hosts = testHosts();
      const h = await startHarness(serverArgs());
      const osd = (await new Api(h).listDaemons({ serviceName: "osd.files", hostname: hosts[0]!.hostname })).daemons[0];
      const rgw = (port: number, on: string[]) => ({
        serviceType: ServiceType.SERVICE_TYPE_RGW,
        serviceId: "conformance",
        placement: { hosts: on.map((hostname) => ({ hostname })), count: on.length },
        details: { $case: "rgw" as const, value: { rgwFrontendPort: port } },
      });
      return {
        clients: h,
        stop: () => h.stop(),
        facts: {
          hosts: hosts.slice(0, 3).map((x) => x.hostname),
          // No device lights and no upgrades yet.
          supportedRpcs: allRpcs()
            .map((r) => r.name)
            .filter((n) => n !== "InventoryService.BlinkDeviceLight" && !n.startsWith("UpgradeService.")),
          spareHost: { hostname: hosts[3]!.hostname, addr: hosts[3]!.addr },
          osdDevice: { hostname: hosts[1]!.hostname, path: hosts[1]!.loop },
          toggleDaemon: osd?.daemonName,
          statelessService: { add: rgw(8080, [hosts[0]!.hostname]), update: rgw(8080, [hosts[0]!.hostname, hosts[1]!.hostname]) },
        },
      };
    },
    { timeoutMs: 300_000 },
  );
} else {
  describe.skip("backend conformance: ssh (needs the test hosts: scripts/test-ssh.sh)", () => undefined);
}
