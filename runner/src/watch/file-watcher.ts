// Watches the notebook and the local modules its cells import (chokidar: editors' atomic
// saves by rename, files deleted and re-created, one event per write on Linux/macOS/Windows).
import type { FSWatcher } from "chokidar";

export interface FileWatcherEvents {
  notebook(): void;
  module(file: string): void;
  /** The watcher itself failed (a folder unmounted, permission lost): watching goes on. */
  error(error: Error): void;
}

export class FileWatcher {
  private watcher: FSWatcher | null = null;
  private modules = new Set<string>();

  private constructor(
    private readonly notebookPath: string,
    private readonly events: FileWatcherEvents,
  ) {}

  /** Starts watching; resolves once the watcher is ready (a save after this is seen). */
  static async start(notebookPath: string, events: FileWatcherEvents): Promise<FileWatcher> {
    const self = new FileWatcher(notebookPath, events);
    const { watch } = await import("chokidar");
    const watcher = watch(notebookPath, { ignoreInitial: true, persistent: true });
    self.watcher = watcher;
    watcher.on("all", (event, path) => self.onEvent(event, path));
    watcher.on("error", (error) => events.error(error instanceof Error ? error : new Error(String(error))));
    await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
    return self;
  }

  private onEvent(event: string, path: string): void {
    if (event !== "add" && event !== "change" && event !== "unlink") return;
    if (path === this.notebookPath) this.events.notebook();
    else if (this.modules.has(path)) this.events.module(path);
  }

  /** Watches exactly these module files from now on. */
  setModules(files: ReadonlySet<string>): void {
    const w = this.watcher;
    if (!w) return;
    const added = [...files].filter((f) => !this.modules.has(f) && f !== this.notebookPath);
    const removed = [...this.modules].filter((f) => !files.has(f));
    this.modules = new Set([...files].filter((f) => f !== this.notebookPath));
    if (removed.length > 0) w.unwatch(removed);
    if (added.length > 0) w.add(added);
  }

  async close(): Promise<void> {
    const w = this.watcher;
    this.watcher = null;
    await w?.close();
  }
}
