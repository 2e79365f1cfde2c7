// The language service a JS/TS kernel answers `complete`/`inspect` with: @kernelkit/types,
// imported on the first query only, so a kernel that is never asked loads none of it.
import type { LanguageService } from "@kernelkit/core";

export interface LazyServiceOptions {
  config?: { strict?: boolean; lib?: string[]; tsconfig?: string } | undefined;
  mode?: "reactive" | "sequential" | undefined;
}

export function lazyTypesService(options: LazyServiceOptions): LanguageService {
  let service: Promise<LanguageService> | null = null;
  const get = () =>
    (service ??= import("@kernelkit/types/service").then((m) =>
      m.createTypesService({ config: options.config, mode: options.mode }),
    ));
  return {
    name: "types",
    complete: async (nb, q) => (await get()).complete(nb, q),
    inspect: async (nb, q) => (await get()).inspect(nb, q),
    async dispose() {
      if (service) await (await service).dispose?.();
    },
  };
}
