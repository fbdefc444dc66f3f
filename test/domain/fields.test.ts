import { describe, it, expect } from "vitest";
import { ValidationError } from "../../src/domain/errors.js";
import {
  Violations,
  validateAbsolutePath,
  validateAddress,
  validateEnum,
  validateHostname,
  validateLabel,
  validatePageSize,
  validateRequestId,
  validateServiceId,
  validateString,
} from "../../src/domain/fields.js";
import { ServiceAction } from "../../gen/ts/ceph_orchestrator/v1/service.js";

describe("Violations", () => {
  it("collects failed checks and throws one ValidationError with all of them", () => {
    const v = new Violations();
    expect(v.check(true, "a", "fine")).toBe(true);
    expect(v.check(false, "b", "is required")).toBe(false);
    v.add("c", "is bad").addAll([{ field: "d", description: "too long" }]);
    expect(v.isEmpty).toBe(false);
    expect(v.list.map((x) => x.field)).toEqual(["b", "c", "d"]);
    let thrown: unknown;
    try {
      v.throwIfAny();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).violations).toEqual([
      { field: "b", description: "is required" },
      { field: "c", description: "is bad" },
      { field: "d", description: "too long" },
    ]);
    expect((thrown as ValidationError).message).toBe("b: is required; c: is bad; d: too long");
  });

  it("does not throw when empty", () => {
    const v = new Violations();
    expect(v.isEmpty).toBe(true);
    expect(() => v.throwIfAny()).not.toThrow();
  });
});

describe("validateHostname", () => {
  it.each(["node1", "node-1.example.com", "a", "NODE_2", "a".repeat(253), "1node"])("accepts %s", (h) => {
    expect(validateHostname(h, "hostname")).toEqual([]);
  });

  it.each([
    ["", "is required"],
    ["a".repeat(254), "at most 253"],
    ["-node", "must not start"],
    [".node", "must not start"],
    ["node 1", "U+0020"],
    ["node/1", "'/'"],
    ["node\0", "U+0000"],
    ["nöde", "'ö'"],
  ])("rejects %j", (h, message) => {
    const v = validateHostname(h, "host.hostname");
    expect(v).toHaveLength(1);
    expect(v[0]?.field).toBe("host.hostname");
    expect(v[0]?.description).toContain(message);
  });
});

describe("validateAddress", () => {
  it.each(["10.0.0.1", "::1", "2001:db8::5", "node1", "node1.example.com", "node1.example.com.", "my_host"])("accepts %s", (a) => {
    expect(validateAddress(a, "addr")).toEqual([]);
  });

  it.each(["", "10.0.0.256", "1.2.3", "-bad.example", "a..b", "exa mple.com", "[::1]", `${"a".repeat(64)}.com`, "http://x"])(
    "rejects %j",
    (a) => {
      const v = validateAddress(a, "host.addr");
      expect(v).toHaveLength(1);
      expect(v[0]?.field).toBe("host.addr");
    },
  );
});

describe("validateLabel", () => {
  it.each(["mon", "_admin", "osd.ssd", "zone:a", "a".repeat(64), "ラベル"])("accepts %s", (l) => {
    expect(validateLabel(l, "label")).toEqual([]);
  });

  it.each([
    ["", "is required"],
    ["a".repeat(65), "at most 64"],
    ["my label", "whitespace"],
    ["tab\there", "whitespace"],
    ["nul\0", "U+0000"],
    ["bell\x07", "U+0007"],
  ])("rejects %j", (l, message) => {
    const v = validateLabel(l, "labels[0]");
    expect(v).toHaveLength(1);
    expect(v[0]?.field).toBe("labels[0]");
    expect(v[0]?.description).toContain(message);
  });

  it("counts characters, not UTF-16 units", () => {
    expect(validateLabel("😀".repeat(64), "label")).toEqual([]);
  });
});

describe("validateServiceId", () => {
  it.each(["cephfs", "realm.zone", "my_fs-1", "a".repeat(64)])("accepts %s", (s) => {
    expect(validateServiceId(s, "spec.service_id")).toEqual([]);
  });

  it.each([
    ["", "is required"],
    ["a".repeat(65), "at most 64"],
    ["my fs", "may contain only"],
    ["fs/1", "may contain only"],
  ])("rejects %j", (s, message) => {
    expect(validateServiceId(s, "spec.service_id")[0]?.description).toContain(message);
  });

  it("allows empty when asked", () => {
    expect(validateServiceId("", "spec.service_id", true)).toEqual([]);
  });
});

describe("validateRequestId", () => {
  it("accepts empty and printable ASCII up to 64", () => {
    expect(validateRequestId("")).toEqual([]);
    expect(validateRequestId("a".repeat(64))).toEqual([]);
    expect(validateRequestId("req-1 ~!@")).toEqual([]);
  });

  it("rejects long or non-printable ids, on request_id by default", () => {
    expect(validateRequestId("a".repeat(65))).toEqual([{ field: "request_id", description: "must be at most 64 characters" }]);
    expect(validateRequestId("a\nb")[0]?.field).toBe("request_id");
    expect(validateRequestId("é")).toHaveLength(1);
    expect(validateRequestId("x\0", "op.request_id")[0]?.field).toBe("op.request_id");
  });
});

describe("validatePageSize", () => {
  it("rejects negative sizes only", () => {
    expect(validatePageSize(0)).toEqual([]);
    expect(validatePageSize(5000)).toEqual([]);
    expect(validatePageSize(-1)).toEqual([{ field: "page_size", description: "must not be negative" }]);
  });
});

describe("validateEnum", () => {
  it("accepts known values", () => {
    expect(validateEnum(ServiceAction.SERVICE_ACTION_RESTART, ServiceAction, "action", true)).toEqual([]);
    expect(validateEnum(0, ServiceAction, "action")).toEqual([]);
  });

  it("rejects UNSPECIFIED when required", () => {
    expect(validateEnum(0, ServiceAction, "action", true)).toEqual([{ field: "action", description: "is required" }]);
  });

  it("rejects UNRECOGNIZED and out-of-range values", () => {
    expect(validateEnum(ServiceAction.UNRECOGNIZED, ServiceAction, "action")).toEqual([{ field: "action", description: "unknown value -1" }]);
    expect(validateEnum(42, ServiceAction, "action")[0]?.description).toBe("unknown value 42");
  });
});

describe("validateString", () => {
  it("checks NUL and length", () => {
    expect(validateString("", "f", 3)).toEqual([]);
    expect(validateString("abc", "f", 3)).toEqual([]);
    expect(validateString("abcd", "f", 3)).toEqual([{ field: "f", description: "must be at most 3 characters" }]);
    expect(validateString("a\0", "f", 3)).toEqual([{ field: "f", description: "must not contain NUL characters" }]);
  });
});

describe("validateAbsolutePath", () => {
  it.each(["/dev/sdb", "/var/lib/ceph/osd-data/a", "/dev/disk/by-id/x..y"])("accepts %s", (p) => {
    expect(validateAbsolutePath(p, "path")).toEqual([]);
  });

  it.each([
    ["", "is required"],
    ["dev/sdb", "not an absolute path"],
    ["/dev/../etc/passwd", "'..'"],
    ["/dev/..", "'..'"],
    ["/dev/sd\0b", "NUL"],
    [`/${"a".repeat(4096)}`, "at most 4096"],
  ])("rejects %j", (p, message) => {
    expect(validateAbsolutePath(p, "paths[0]")[0]?.description).toContain(message);
  });
});
