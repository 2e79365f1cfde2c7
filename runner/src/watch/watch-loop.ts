// Turns file events into one change at a time (docs/watch.md "Saves"): events that arrive while
// a change runs are coalesced into the next one; a file that reads empty, unreadable or invalid
// changes nothing, and is reported only when it is still so after a short settle time (an
// editor's truncate-then-write is not worth a warning); a notebook that disappears is waited for.
import { statSync } from "node:fs";
import { KernelkitError, type Notebook } from "@kernelkit/core";
import { FileWatcher } from "./file-watcher.ts";
import { readNotebookSnapshot } from "./notebook-snapshot.ts";

/** How long a bad read must persist before it is reported. */
export const SETTLE_MS = 60;
/**
 * chokidar drops a second `change` of one file within 50 ms of the first (its throttle has no
 * trailing event), so this long after the last change we compare the files' stat with what
 * was read, and a save the throttle swallowed is still applied.
 */
export const RECHECK_MS = 70;
/** While the notebook is gone, how often to look for it (its folder may be gone too). */
export const GONE_POLL_MS = 250;

function signature(path: string): string {
  try {
    const s = statSync(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return "missing";
  }
}

export interface WatchLoopHandlers {
  /** Applies a good read of the notebook and runs what changed. */
  notebook(notebook: Notebook): Promise<void>;
  /** Module files changed: reload and re-run their importers. */
  modules(files: Set<string>): Promise<void>;
  /** A coded problem the user should see (nothing changed because of it). */
  problem(error: KernelkitError, reason: string): void;
  /** The notebook came back after it was reported gone. */
  resumed(): void;
  /** The module files to watch after a change (cells' imports may have changed). */
  moduleFiles(): ReadonlySet<string>;
}

export class WatchLoop {
  private watcher: FileWatcher | null = null;
  private notebookDirty = false;
  private readonly modulesDirty = new Set<string>();
  private busy = false;
  private scheduled = false;
  private settleTimer: ReturnType<typeof setTimeout> | null = null;
  private reportBad = false;
  private lastReported: string | null = null;
  private gone = false;
  private recheckTimer: ReturnType<typeof setTimeout> | null = null;
  private gonePoll: ReturnType<typeof setInterval> | null = null;
  /** Stat signature of each file as last read (notebook and modules). */
  private readonly seen = new Map<string, string>();
  private closed = false;
  /** Resolves when no change is pending or running (tests and benches wait on it). */
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly path: string,
    private readonly handlers: WatchLoopHandlers,
  ) {}

  async start(): Promise<void> {
    const before = signature(this.path);
    this.seen.set(this.path, before);
    await this.startWatcher();
    // A save while the watcher was getting ready has no event: compare with the file as it was.
    if (signature(this.path) !== before) {
      this.notebookDirty = true;
      this.schedule();
    }
  }

  private async startWatcher(): Promise<void> {
    this.watcher = await FileWatcher.start(this.path, {
      notebook: () => {
        this.clearSettle();
        this.reportBad = false;
        this.notebookDirty = true;
        this.schedule();
      },
      module: (file) => {
        this.modulesDirty.add(file);
        this.schedule();
      },
      error: (error) => {
        const e = error as NodeJS.ErrnoException;
        this.handlers.problem(
          new KernelkitError("KK_WATCH_FAILED", `watching ${this.path} failed: ${e.code ?? e.message}`, {
            hint: "Check that the notebook's folder is still mounted and readable; the kernel and its values are kept.",
          }),
          "watcher",
        );
      },
    });
    this.watcher.setModules(this.handlers.moduleFiles());
  }

  get running(): boolean {
    return this.busy;
  }

  private clearSettle(): void {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = null;
  }

  private paused = false;

  /** Holds changes back (they are remembered) until resume(): `watch` runs its initial run first. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.schedule();
  }

  private schedule(): void {
    if (this.busy || this.scheduled || this.closed || this.paused) return;
    if (!this.notebookDirty && this.modulesDirty.size === 0) return;
    this.scheduled = true;
    // One turn lets events of the same write (chokidar may report add and change) merge.
    setImmediate(() => {
      this.scheduled = false;
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.busy || this.closed) return;
    this.busy = true;
    try {
      while (!this.closed && (this.notebookDirty || this.modulesDirty.size > 0)) {
        if (this.notebookDirty) {
          this.notebookDirty = false;
          await this.readAndApply();
          continue;
        }
        const files = new Set<string>();
        for (const f of this.modulesDirty) {
          // A module mid-save (truncated, not yet written) would be imported empty: wait a moment.
          if (signature(f).split(":")[1] === "0") {
            if (this.postponeEmpty(f)) continue;
          } else this.emptySince.delete(f);
          files.add(f);
        }
        this.modulesDirty.clear();
        if (files.size === 0) continue;
        for (const f of files) this.seen.set(f, signature(f));
        await this.handlers.modules(files);
        this.watcher?.setModules(this.handlers.moduleFiles());
      }
    } finally {
      this.busy = false;
    }
    this.armRecheck();
    if (!this.scheduled && !this.notebookDirty && this.modulesDirty.size === 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private readonly emptySince = new Map<string, number>();

  /** True while an empty module file is young enough to be an editor mid-save. */
  private postponeEmpty(file: string): boolean {
    const since = this.emptySince.get(file) ?? performance.now();
    if (!this.emptySince.has(file)) this.emptySince.set(file, since);
    if (performance.now() - since >= SETTLE_MS) {
      this.emptySince.delete(file);
      return false;
    }
    setTimeout(() => {
      this.modulesDirty.add(file);
      this.schedule();
    }, 10).unref();
    return true;
  }

  private armRecheck(): void {
    if (this.closed) return;
    if (this.recheckTimer) clearTimeout(this.recheckTimer);
    this.recheckTimer = setTimeout(() => {
      this.recheckTimer = null;
      if (this.busy || this.closed) return;
      let dirty = false;
      const nb = this.seen.get(this.path);
      if (nb !== undefined && nb !== "bad" && signature(this.path) !== nb) {
        this.notebookDirty = true;
        dirty = true;
      }
      for (const [file, sig] of this.seen) {
        if (file !== this.path && signature(file) !== sig) {
          this.modulesDirty.add(file);
          dirty = true;
        }
      }
      if (dirty) this.schedule();
    }, RECHECK_MS);
    this.recheckTimer.unref();
  }

  private async readAndApply(): Promise<void> {
    // Stat before reading: a write after this point shows as a different signature later.
    const sig = signature(this.path);
    const snap = readNotebookSnapshot(this.path);
    if (signature(this.path) !== sig) {
      // Still being written (a large paste arrives in pieces): read it again in a moment.
      setTimeout(() => {
        this.notebookDirty = true;
        this.schedule();
      }, 10).unref();
      return;
    }
    this.seen.set(this.path, snap.ok ? sig : "bad");
    if (!snap.ok) {
      if (!this.reportBad) {
        // Wait a moment: an editor mid-save is not a problem to report.
        this.clearSettle();
        this.settleTimer = setTimeout(() => {
          this.settleTimer = null;
          this.reportBad = true;
          this.notebookDirty = true;
          this.schedule();
        }, SETTLE_MS);
        return;
      }
      this.reportBad = false;
      const key = `${snap.error.code}:${snap.error.message}`;
      if (key !== this.lastReported) {
        this.lastReported = key;
        if (snap.reason === "missing") {
          this.gone = true;
          this.pollWhileGone();
        }
        this.handlers.problem(snap.error, snap.reason);
      }
      return;
    }
    this.clearSettle();
    this.lastReported = null;
    if (this.gone) {
      this.gone = false;
      this.handlers.resumed();
    }
    await this.handlers.notebook(snap.notebook);
    this.watcher?.setModules(this.handlers.moduleFiles());
  }

  /**
   * A watcher whose folder was removed sees nothing when it is re-created; look for the file
   * until it is back, then watch afresh.
   */
  private pollWhileGone(): void {
    if (this.gonePoll || this.closed) return;
    this.gonePoll = setInterval(() => {
      if (signature(this.path) === "missing" || this.closed) return;
      if (this.gonePoll) clearInterval(this.gonePoll);
      this.gonePoll = null;
      const old = this.watcher;
      this.watcher = null;
      void (async () => {
        await old?.close();
        if (this.closed) return;
        await this.startWatcher();
        this.notebookDirty = true;
        this.schedule();
      })();
    }, GONE_POLL_MS);
  }

  /** Resolves once nothing is pending or running. */
  whenIdle(): Promise<void> {
    if (!this.busy && !this.scheduled && !this.notebookDirty && this.modulesDirty.size === 0)
      return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.clearSettle();
    if (this.recheckTimer) clearTimeout(this.recheckTimer);
    if (this.gonePoll) clearInterval(this.gonePoll);
    await this.watcher?.close();
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
