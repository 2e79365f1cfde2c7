// The `@kernelkit/types/service` entry: the language service alone, light to import (nothing
// of kernelkit or TypeScript at run time), for a kernel's thread.
export type { TypesServiceOptions } from "./types-service.ts";
export { createTypesService, TypesService } from "./types-service.ts";
