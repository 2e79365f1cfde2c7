// The language service a JS/TS kernel answers `complete`/`inspect` with: @kernelkit/types,
// imported on the first query only, so a kernel that is never asked loads none of it.
import type { LanguageService, ServiceNotebook } from "@kernelkit/core";

export interface LazyServiceOptions {
  config?: { strict?: boolean; lib?: string[]; tsconfig?: string } | undefined;
  mode?: "reactive" | "sequential" | undefined;
}

/** One type error, positioned in the notebook file (as `check --types` reports it). */
export interface NotebookTypeError {
  code: string;
  message: string;
  line: number;
  column: number;
}

export interface NotebookTypeCheck {
  cells: Map<string, NotebookTypeError[]>;
  problems: NotebookTypeError[];
}

/** The runner's service: the protocol's queries, plus the whole notebook's type errors (watch). */
export interface KernelTypesService extends LanguageService {
  /** Every cell's type errors, from the same warm program as completion (docs/watch.md). */
  check(notebook: ServiceNotebook): Promise<NotebookTypeCheck>;
}

export function lazyTypesService(options: LazyServiceOptions): KernelTypesService {
  let service: Promise<import("@kernelkit/types/service").TypesService> | null = null;
  const get = () =>
    (service ??= import("@kernelkit/types/service").then((m) =>
      m.createTypesService({ config: options.config, mode: options.mode }),
    ));
  return {
    name: "types",
    complete: async (nb, q) => (await get()).complete(nb, q),
    inspect: async (nb, q) => (await get()).inspect(nb, q),
    check: async (nb) => (await get()).check(nb),
    async dispose() {
      if (service) await (await service).dispose?.();
    },
  };
}

/** The kernel's type checker when the runner wired one (a JS/TS kernel), else null. */
export function typeCheckerOf(service: LanguageService | null): KernelTypesService | null {
  return service && typeof (service as Partial<KernelTypesService>).check === "function"
    ? (service as KernelTypesService)
    : null;
}
