// Test certificates, made at test time with the openssl CLI into a temporary directory
// (never committed): a CA, a server certificate for 127.0.0.1/localhost, and client
// certificates signed by that CA or by another one.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Pem {
  cert: string;
  key: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** A directory of certificates; `cleanup()` removes it. */
export class TestPki {
  readonly dir: string;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), "orch-pki-"));
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** A self-signed CA: `<name>.crt`, `<name>.key`. */
  ca(name: string, cn = `${name} test CA`): Pem {
    openssl(
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", `/CN=${cn}`,
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        "-keyout", `${name}.key`, "-out", `${name}.crt`],
      this.dir,
    );
    return this.read(name);
  }

  /**
   * A certificate `<name>.crt`/`<name>.key` signed by CA `ca`, with subject CN `cn` and
   * the given subjectAltNames (e.g. "DNS:localhost", "IP:127.0.0.1", "URI:spiffe://x/y").
   */
  issue(name: string, ca: string, cn: string, sans: string[], usage: "server" | "client"): Pem {
    const ext = [
      "basicConstraints=CA:FALSE",
      `extendedKeyUsage=${usage === "server" ? "serverAuth" : "clientAuth"}`,
      "keyUsage=digitalSignature",
      ...(sans.length ? [`subjectAltName=${sans.join(",")}`] : []),
    ].join("\n");
    writeFileSync(join(this.dir, `${name}.ext`), `${ext}\n`);
    openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", `/CN=${cn}`, "-keyout", `${name}.key`, "-out", `${name}.csr`], this.dir);
    openssl(["x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.crt`, "-CAkey", `${ca}.key`, "-CAcreateserial", "-days", "2", "-extfile", `${name}.ext`, "-out", `${name}.crt`], this.dir);
    return this.read(name);
  }

  server(name: string, ca: string, cn = "orchestrator test server"): Pem {
    return this.issue(name, ca, cn, ["DNS:localhost", "IP:127.0.0.1"], "server");
  }

  client(name: string, ca: string, cn: string, sans: string[] = []): Pem {
    return this.issue(name, ca, cn, sans, "client");
  }

  read(name: string): Pem {
    return { cert: readFileSync(join(this.dir, `${name}.crt`), "utf8"), key: readFileSync(join(this.dir, `${name}.key`), "utf8") };
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
