// The conformance suite against a test fake that lacks most RPCs
// (test/grpc/fixtures/partial-backend.ts): what it reports unsupported must answer
// UNIMPLEMENTED, what it has must conform, and the rest is skipped. This shows the suite
// gating on GetCapabilities, as it will for any partial backend.
import { startHarness } from "../support/harness.js";
import { PARTIAL_RPCS } from "../grpc/fixtures/partial-backend.js";
import { defineConformanceSuite } from "./suite.js";

defineConformanceSuite("partial (test fake lacking most RPCs)", async () => {
  const h = await startHarness(["--backend", "test/grpc/fixtures/partial-backend.ts"]);
  return { clients: h, stop: () => h.stop(), facts: { hosts: ["p-1", "p-2"], supportedRpcs: PARTIAL_RPCS } };
});
