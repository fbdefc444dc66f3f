// The role table (src/security/roles.ts, read from the RPC registry) covers every RPC of the
// API, exactly; writes are the RPCs that change something.
import { describe, expect, it } from "vitest";
import { ROLES, RPC_ACCESS, accessOfPath, roleAllows } from "../../src/security/roles.js";
import { allRpcs } from "../conformance/api.js";

describe("the role table", () => {
  it("names every RPC of the generated service definitions, and nothing else", () => {
    const rpcs = allRpcs().map((r) => r.fullName).sort();
    expect(Object.keys(RPC_ACCESS).sort()).toEqual(rpcs);
  });

  it("marks as writes the RPCs that stream an operation they start, and the commands: CancelOperation, Pause/ResumeReconciliation", () => {
    const commands = ["CancelOperation", "PauseReconciliation", "ResumeReconciliation"];
    for (const rpc of allRpcs()) {
      const startsOperation = rpc.responseStream && rpc.method !== "WatchOperation";
      expect(RPC_ACCESS[rpc.fullName]!.write, rpc.fullName).toBe(startsOperation || commands.includes(rpc.method));
    }
  });

  it("gives reads to readers, actions and lights and cancel to operators, the rest to admins", () => {
    const byRole = (role: string) => Object.entries(RPC_ACCESS).filter(([, a]) => a.role === role).map(([n]) => n.replace("ceph_orchestrator.v1.", "")).sort();
    expect(byRole("operator")).toEqual([
      "InventoryService.BlinkDeviceLight",
      "OperationService.CancelOperation",
      "ServiceService.DaemonAction",
      "ServiceService.ServiceAction",
    ]);
    for (const [name, a] of Object.entries(RPC_ACCESS)) {
      if (a.role === "reader") expect(a.write, name).toBe(false);
      else expect(a.write, name).toBe(true);
    }
    expect(byRole("admin")).toContain("OsdService.RemoveOsds");
    expect(byRole("admin")).toContain("UpgradeService.StartUpgrade");
    expect(byRole("reader")).toContain("OperationService.WaitOperations");
  });

  it("orders the roles: admin may do what operator may, operator what reader may", () => {
    expect(ROLES).toEqual(["reader", "operator", "admin"]);
    expect(roleAllows("admin", "reader")).toBe(true);
    expect(roleAllows("operator", "operator")).toBe(true);
    expect(roleAllows("operator", "admin")).toBe(false);
    expect(roleAllows("reader", "operator")).toBe(false);
  });

  it("finds the rule of a gRPC path; health and reflection have none", () => {
    expect(accessOfPath("/ceph_orchestrator.v1.HostService/AddHost")).toEqual({ role: "admin", write: true });
    expect(accessOfPath("/grpc.health.v1.Health/Check")).toBeUndefined();
    expect(accessOfPath("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo")).toBeUndefined();
  });
});
