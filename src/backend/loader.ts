// Loads a backend plugin by name (a folder of backends/) or by module path.
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Logger } from "pino";
import type { Backend, BackendFactory, BackendStore } from "./backend.js";

const BACKENDS_DIR = fileURLToPath(new URL("../../backends/", import.meta.url));

export class BackendLoadError extends Error {}

/** The names of the backends shipped in backends/. */
export function builtinBackends(): string[] {
  return ["sim", "ssh"].filter((n) => existsSync(resolve(BACKENDS_DIR, n, "index.ts")));
}

/** `store`, when given, is where the backend may keep state across restarts. */
export async function loadBackend(nameOrPath: string, config: Record<string, unknown>, log: Logger, store?: BackendStore): Promise<Backend> {
  const isPath = nameOrPath.includes("/") || nameOrPath.endsWith(".ts") || nameOrPath.endsWith(".js");
  const file = isPath
    ? isAbsolute(nameOrPath) ? nameOrPath : resolve(process.cwd(), nameOrPath)
    : resolve(BACKENDS_DIR, nameOrPath, "index.ts");
  if (!existsSync(file)) {
    throw new BackendLoadError(
      isPath
        ? `backend module '${nameOrPath}' not found (looked for ${file})`
        : `unknown backend '${nameOrPath}'; built-in backends: ${builtinBackends().join(", ")}; or give a module path`,
    );
  }
  const mod = (await import(pathToFileURL(file).href)) as { default?: BackendFactory };
  if (typeof mod.default !== "function") {
    throw new BackendLoadError(`backend module ${file} has no default export (a BackendFactory)`);
  }
  return mod.default({ config, log: log.child({ backend: nameOrPath }), ...(store && { store }) });
}
