// The lifecycle against kernelkit's conformance kit, with its own deciding cells.
import { describeLifecycleConformance } from "@kernelkit/conformance";
import { createLifecycle } from "../src/lifecycle.ts";
import samples, { OPTIONS } from "../src/samples.ts";

describeLifecycleConformance("__NAME__", (ctx) => createLifecycle(OPTIONS, ctx), { cells: samples });
