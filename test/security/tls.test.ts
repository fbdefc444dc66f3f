// TLS: the server serves its certificate, reloads it when the files change (and keeps the
// last good one when they do not form a valid pair), refuses plaintext clients; plaintext
// serving is refused on a non-loopback address unless --allow-insecure, which logs a
// warning; the security options are checked at start.
import { copyFileSync, writeFileSync } from "node:fs";
import { connect } from "node:tls";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { isLoopback } from "../../src/security/index.js";
import { startServer } from "../../src/server.js";
import { Api, eventually } from "../conformance/api.js";
import { TestPki } from "../support/certs.js";
import { type Harness, makeClients, startHarness } from "../support/harness.js";
import { capturingLogger } from "./helpers.js";

/** The subject CN of the certificate a new TLS connection to the port gets. */
function servedCn(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, ca, servername: "localhost", ALPNProtocols: ["h2"] }, () => {
      const cn = socket.getPeerCertificate().subject?.CN;
      socket.end();
      resolve(String(cn));
    });
    socket.on("error", reject);
  });
}

describe("TLS from files, reloaded when they change", () => {
  let pki: TestPki;
  let h: Harness;
  let ca: string;

  beforeAll(async () => {
    pki = new TestPki();
    ca = pki.ca("ca").cert;
    pki.server("a", "ca", "server-a");
    pki.server("b", "ca", "server-b");
    pki.server("c", "ca", "server-c");
    copyFileSync(pki.path("a.crt"), pki.path("server.crt"));
    copyFileSync(pki.path("a.key"), pki.path("server.key"));
    h = await startHarness(["--backend-opt", "delays=0", "--tls-cert", pki.path("server.crt"), "--tls-key", pki.path("server.key"), "--reload-interval", "100"], {}, { ca });
  });
  afterAll(async () => {
    await h?.stop();
    pki?.cleanup();
  });

  it("serves its certificate to TLS clients and refuses plaintext ones", async () => {
    expect(await servedCn(h.server.port, ca)).toBe("server-a");
    expect((await new Api(makeClients(h.address, { ca })).getStatus()).available).toBe(true);
    const plain = await new Api(makeClients(h.address)).getStatus({ deadlineMs: 3000 }).catch((e: grpc.ServiceError) => e);
    expect((plain as grpc.ServiceError).code).toBe(grpc.status.UNAVAILABLE);
    // A client that does not trust the server's CA does not connect either.
    const other = new TestPki();
    try {
      const untrusted = await new Api(makeClients(h.address, { ca: other.ca("other").cert })).getStatus({ deadlineMs: 3000 }).catch((e: grpc.ServiceError) => e);
      expect((untrusted as grpc.ServiceError).code).toBe(grpc.status.UNAVAILABLE);
    } finally {
      other.cleanup();
    }
  });

  it("takes a new certificate and key when the files change; new connections get it", async () => {
    copyFileSync(pki.path("b.key"), pki.path("server.key"));
    copyFileSync(pki.path("b.crt"), pki.path("server.crt"));
    await eventually(async () => ((await servedCn(h.server.port, ca)) === "server-b" ? true : undefined), 5000, "the new certificate");
    expect((await new Api(makeClients(h.address, { ca })).getStatus()).available).toBe(true);
  });

  it("keeps the last good certificate while the files do not match, until they do", async () => {
    // A certificate without its key: not a valid pair.
    copyFileSync(pki.path("c.crt"), pki.path("server.crt"));
    h.server.reload();
    await new Promise((r) => setTimeout(r, 300));
    expect(await servedCn(h.server.port, ca)).toBe("server-b");
    writeFileSync(pki.path("server.key"), "not a key");
    h.server.reload();
    expect(await servedCn(h.server.port, ca)).toBe("server-b");
    copyFileSync(pki.path("c.key"), pki.path("server.key"));
    h.server.reload();
    await eventually(async () => ((await servedCn(h.server.port, ca)) === "server-c" ? true : undefined), 5000, "the completed pair");
  });
});

describe("plaintext off loopback", () => {
  it("knows loopback addresses", () => {
    for (const a of ["127.0.0.1:1", "127.9.8.7:1", "localhost:1", "[::1]:1", "::1:50051"]) expect(isLoopback(a), a).toBe(true);
    for (const a of ["0.0.0.0:1", "[::]:1", "10.0.0.1:1", "example.org:1", "128.0.0.1:1"]) expect(isLoopback(a), a).toBe(false);
  });

  it("refuses to start, naming --allow-insecure; with it, starts and warns", async () => {
    const config = loadConfig(["--listen", "0.0.0.0:0", "--journal=false", "--backend-opt", "delays=0"], {});
    if (config === "help") throw new Error("help");
    const refused = capturingLogger();
    await expect(startServer(config, refused.log)).rejects.toThrow(ConfigError);
    await expect(startServer(config, refused.log)).rejects.toThrow(/--allow-insecure/);
    const allowed = capturingLogger();
    // the flag as the message names it, alone (a boolean flag without a value means true)
    const insecure = loadConfig(["--listen", "0.0.0.0:0", "--journal=false", "--allow-insecure", "--backend-opt", "delays=0"], {});
    if (insecure === "help") throw new Error("help");
    expect(insecure.allowInsecure).toBe(true);
    const cases = [
      [["--allow-insecure", "false"], false, true],
      [["--allow-insecure", "--journal", "false"], true, false],
      [["--journal=false", "--allow-insecure"], true, false],
    ] as const;
    for (const [args, allowInsecure, journal] of cases) {
      const c = loadConfig([...args], {});
      expect(c !== "help" && [c.allowInsecure, c.journal], args.join(" ")).toEqual([allowInsecure, journal]);
    }
    const server = await startServer(insecure, allowed.log);
    try {
      const warning = allowed.lines().find((l) => l.level === 40 && String(l.msg).includes("INSECURE"));
      expect(warning).toMatchObject({ listen: "0.0.0.0:0" });
      expect((await new Api(makeClients(`127.0.0.1:${server.port}`)).getStatus()).available).toBe(true);
    } finally {
      await server.shutdown();
    }
  });

  it("checks the security options together", () => {
    const bad: [string[], RegExp][] = [
      [["--tls-cert", "x.crt"], /go together/],
      [["--tls-client-ca", "ca.crt"], /needs --tls-cert/],
      [["--tls-cert", "a", "--tls-key", "b", "--tls-client-ca", "c"], /needs --client-roles/],
      [["--client-roles", "r.yaml"], /needs --tls-client-ca/],
      [["--max-wait", "0"], /max-wait/],
      [["--write-burst", "0"], /write-burst/],
      [["--max-concurrent-streams", "0"], /max-concurrent-streams/],
    ];
    for (const [args, msg] of bad) expect(() => loadConfig(args, {}), args.join(" ")).toThrow(msg);
  });

  it("refuses to start on unusable TLS or credential files, naming them", async () => {
    const pki = new TestPki();
    try {
      pki.ca("ca");
      pki.server("s", "ca");
      pki.server("t", "ca");
      writeFileSync(pki.path("tokens.yaml"), "tokens:\n  - { name: x, role: root, sha256: abc }\n");
      const cases: [string[], RegExp][] = [
        [["--tls-cert", pki.path("s.crt"), "--tls-key", pki.path("t.key")], /does not belong/],
        [["--tls-cert", pki.path("missing.crt"), "--tls-key", pki.path("s.key")], /missing\.crt/],
        [["--tokens-file", pki.path("tokens.yaml")], /tokens\.yaml.*role/],
      ];
      for (const [args, msg] of cases) {
        const config = loadConfig(["--listen", "127.0.0.1:0", "--journal=false", ...args], {});
        if (config === "help") throw new Error("help");
        await expect(startServer(config, capturingLogger().log), args.join(" ")).rejects.toThrow(msg);
      }
    } finally {
      pki.cleanup();
    }
  });
});
