// Guards against nodejs/node#51142: a synchronous stat whose result is a FIFO or socket (the
// kernel checking what fd 0 is, a cell's `fs.fstatSync(0)`) stays in Node's shared stat buffer,
// and `realpath` then stops at the first directory it has seen before. Every later require() or
// import() resolves a symlinked package (pnpm's layout, workspaces) from its link path, where
// its own dependencies are missing: "Cannot find module 'pino-std-serializers'" when the first
// warning loads the logger. See docs/reliability.md.
import { type BigIntStats, fstatSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/**
 * `fstat` of an fd without touching the shared stat buffer (the bigint form has a buffer of its
 * own), or null when the fd is not open. Kernel code stats fds through this only.
 */
export function statFd(fd: number): BigIntStats | null {
  try {
    return fstatSync(fd, { bigint: true });
  } catch {
    return null;
  }
}

/** Whether `fd` is a pipe or a socket (read without blocking on the event loop). */
export function isPipeOrSocket(fd: number): boolean {
  const stats = statFd(fd);
  return stats !== null && (stats.isFIFO() || stats.isSocket());
}

/**
 * `require` for a dependency loaded on first use, long after startup (the logger, the config
 * loader): before each load it stats the calling module's own file — a regular file — so a
 * FIFO or socket left in the shared stat buffer by any code cannot misdirect the resolution.
 * One stat per first load; modules already loaded are not affected.
 */
export function lazyRequire(from: string): (id: string) => unknown {
  const require = createRequire(from);
  const self = from.startsWith("file:") ? fileURLToPath(from) : from;
  return (id) => {
    try {
      statSync(self);
    } catch {
      // the file moved: nothing to reset with, and nothing better to do
    }
    return require(id);
  };
}
