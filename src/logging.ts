// The service's logger: JSON lines (pino), with the value of every secret field (the
// proto's (secret) option, src/security/secrets.ts) removed at any depth, whatever logged
// it: the merging object, a child's bindings or a serialized error. The check runs on each
// finished line, so no call site has to remember.
import { type DestinationStream, type Logger, pino } from "pino";
import { redactSecrets, secretKeySet } from "./contract/secrets.js";

/** A finished log line without secret values; lines that name no secret key pass as they are. */
export function redactLine(line: string, keys: ReadonlySet<string> = secretKeySet()): string {
  let found = false;
  for (const k of keys) {
    if (line.includes(`"${k}"`)) {
      found = true;
      break;
    }
  }
  if (!found) return line;
  try {
    const end = line.endsWith("\n") ? "\n" : "";
    return JSON.stringify(redactSecrets(JSON.parse(line) as unknown, keys)) + end;
  } catch {
    // Not JSON (cannot happen with pino's own output): drop rather than leak.
    return `${JSON.stringify({ level: 50, msg: "log line dropped: it named a secret field and could not be redacted" })}\n`;
  }
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const keys = secretKeySet();
  const options = { level, hooks: { streamWrite: (line: string) => redactLine(line, keys) } };
  return destination ? pino(options, destination) : pino(options);
}
