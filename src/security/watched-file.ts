// A configuration file that is read again when it changes: fs.watch on its directory (so
// that an editor's or `mv`'s atomic replace is seen too) for a quick reaction, and polling
// every `intervalMs` where watching misses events. A change that does not parse is logged
// and ignored: the last good content stays in force (fail safe: a half-written file never
// locks everyone out, and never lets anyone in).
import { type FSWatcher, readFileSync, watch } from "node:fs";
import { basename, dirname } from "node:path";
import type { Logger } from "pino";

export class WatchedFile<T> {
  private text: string;
  private value: T;
  private timer: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(value: T) => void>();

  /** Reads and parses the file now; throws (with the file's name) when either fails. */
  constructor(
    readonly path: string,
    private readonly parse: (text: string) => T,
    private readonly opts: { intervalMs: number; log: Logger; what: string },
  ) {
    this.text = readFileSync(path, "utf8");
    this.value = parse(this.text);
  }

  get current(): T {
    return this.value;
  }

  /** Called with each new value after a reload. */
  onChange(listener: (value: T) => void): void {
    this.listeners.add(listener);
  }

  /** Starts watching and polling. */
  start(): this {
    if (this.opts.intervalMs > 0) {
      this.timer = setInterval(() => this.reload(), this.opts.intervalMs);
      this.timer.unref();
    }
    try {
      const name = basename(this.path);
      this.watcher = watch(dirname(this.path), { persistent: false }, (_event, file) => {
        if (file !== null && file !== name) return;
        clearTimeout(this.debounce);
        this.debounce = setTimeout(() => this.reload(), 20);
        this.debounce.unref();
      });
      this.watcher.on("error", () => this.watcher?.close());
    } catch {
      // Polling alone then.
    }
    return this;
  }

  /** Reads the file again; returns whether the content changed and was taken. */
  reload(): boolean {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (err) {
      this.opts.log.error({ file: this.path, err: (err as Error).message }, `${this.opts.what}: cannot read the file; the last good content stays in force`);
      return false;
    }
    if (text === this.text) return false;
    let value: T;
    try {
      value = this.parse(text);
    } catch (err) {
      this.text = text; // logged once, not at every poll
      this.opts.log.error({ file: this.path, err: (err as Error).message }, `${this.opts.what}: invalid; the last good content stays in force`);
      return false;
    }
    this.text = text;
    this.value = value;
    this.opts.log.info({ file: this.path }, `${this.opts.what}: reloaded`);
    for (const l of this.listeners) l(value);
    return true;
  }

  close(): void {
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    this.watcher?.close();
  }
}
