// The service's entry point: `npm start -- --help`.
import { BackendConfigError } from "./backend/config-schema.js";
import { BackendLoadError } from "./backend/loader.js";
import { ConfigError, helpText, loadConfig } from "./config.js";
import { createLogger } from "./logging.js";
import { DatabaseError } from "./persistence/database.js";
import { startServer } from "./server.js";

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${helpText()}\n`);
    return 2;
  }
  if (config === "help") {
    process.stdout.write(`${helpText()}\n`);
    return 0;
  }
  // Secret fields (the proto's (secret) option) never reach the log.
  const log = createLogger(config.logLevel);
  let server;
  try {
    server = await startServer(config, log);
  } catch (err) {
    // A configuration error exits 2, as a bad flag does; also on stderr, where whoever
    // starts the service looks, naming the option, file or backend key at fault.
    if (err instanceof BackendConfigError || err instanceof BackendLoadError || err instanceof ConfigError) {
      log.fatal(err instanceof BackendConfigError ? { backend: err.backend, key: err.key } : {}, err.message);
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    if (err instanceof DatabaseError) {
      // Also on stderr: whoever starts the service must see which file is at fault.
      log.fatal({ file: err.file }, err.message);
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    log.fatal({ err }, "failed to start");
    return 1;
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, "signal received");
      resolve();
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
    // SIGHUP: read the TLS, tokens and client roles files again now.
    process.on("SIGHUP", () => {
      log.info({ signal: "SIGHUP" }, "reloading the security files");
      server.reload();
    });
  });
  await server.shutdown();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  },
);
