// Loads @kernelkit/client (KernelClient) when it exists: by package name, else from its build.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO } from "./kernel-process.mjs";

let loaded = null;

/** Resolves `{ ok: true, KernelClient }` or `{ ok: false, reason }`. */
export function loadClient() {
  loaded ??= (async () => {
    try {
      const m = await import("@kernelkit/client");
      if (m.KernelClient) return { ok: true, KernelClient: m.KernelClient };
    } catch {}
    const dist = join(REPO, "packages", "client", "dist", "index.js");
    if (existsSync(dist)) {
      try {
        const m = await import(pathToFileURL(dist).href);
        if (m.KernelClient) return { ok: true, KernelClient: m.KernelClient };
      } catch (error) {
        return { ok: false, reason: `@kernelkit/client failed to load: ${error.message}` };
      }
    }
    return { ok: false, reason: "@kernelkit/client (KernelClient) is not available yet" };
  })();
  return loaded;
}
