// The profiling lifecycle passes the lifecycle conformance kit, also while writing its trace.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeLifecycleConformance } from "@kernelkit/conformance";
import { createDefaultExecutor } from "@kernelkit/executor-default";
import { createProfilingLifecycle } from "@kernelkit/lifecycle-profiling";

describeLifecycleConformance("profiling", () => createProfilingLifecycle());
describeLifecycleConformance(
  "profiling (trace file, on executor-default)",
  () => createProfilingLifecycle({ out: join(mkdtempSync(join(tmpdir(), "kk-prof-")), "trace.json") }),
  { executor: (ctx) => createDefaultExecutor({}, ctx) },
);
