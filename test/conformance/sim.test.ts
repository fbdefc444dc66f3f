// The conformance suite against the sim backend: the default fixture (three hosts, a spare
// machine node-4) and the tiny one (one host, no crash daemons, no spare), each instant
// (delays=0) — and the default fixture once more with the sim's own, demo-speed delays, so the
// suite also sees operations that take time.
import { startHarness } from "../support/harness.js";
import { defineConformanceSuite } from "./suite.js";

const TINY = "backends/sim/fixtures/tiny.yaml";

defineConformanceSuite("sim (default fixture, delays=0)", async () => {
  const h = await startHarness(["--backend-opt", "delays=0"]);
  return {
    clients: h,
    stop: () => h.stop(),
    facts: {
      hosts: ["node-1", "node-2", "node-3"],
      supportedRpcs: "all",
      spareHost: { hostname: "node-4", addr: "10.0.0.14" },
      osdDevice: { hostname: "node-1", path: "/dev/sdc" },
    },
  };
});

defineConformanceSuite("sim (tiny fixture, delays=0)", async () => {
  const h = await startHarness(["--backend-opt", "delays=0", "--backend-opt", `fixture=${TINY}`]);
  return {
    clients: h,
    stop: () => h.stop(),
    // No path: the suite takes tiny-1's first available device from the inventory.
    facts: { hosts: ["tiny-1"], supportedRpcs: "all", osdDevice: { hostname: "tiny-1" }, toggleDaemon: "mgr.tiny-1.qzpwla" },
  };
});

defineConformanceSuite("sim (default fixture, default delays)", async () => {
  const h = await startHarness([]);
  return {
    clients: h,
    stop: () => h.stop(),
    facts: {
      hosts: ["node-1", "node-2", "node-3"],
      supportedRpcs: "all",
      spareHost: { hostname: "node-5" },
      osdDevice: { hostname: "node-3", path: "/dev/sdf" },
    },
  };
});
