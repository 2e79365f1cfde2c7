// Extension request `notebook_info` (not in docs/protocol.md v1): what a page needs to draw a
// notebook — every cell with its code — which `graph` frames do not carry.
//
//   → {"id": "1", "type": "notebook_info"}
//   ← {"type": "notebook_info_reply", "id": "1", "path", "language",
//      "cells": [{id, name, type, code, disabled, line, defs, refs, errors, lastRun}],
//      "inputs": [{name, value?}]}
//
// `inputs` are the names cells read that no cell defines: what `set_inputs` can bind.
import type { Kernel, KernelPlugin, RequestContext } from "@kernelkit/core";

export const NOTEBOOK_INFO = "notebook_info";

export interface NotebookInfoCell {
  id: string;
  name: string | null;
  type: "code" | "markdown" | "raw";
  code: string;
  disabled: boolean;
  line: number;
  defs: string[];
  refs: string[];
  errors: { code: string; name: string; message: string }[];
  /** The last run's result (success, exception, …), or null when it never ran. */
  lastRun: string | null;
}

export interface NotebookInfo {
  path: string | null;
  language: string;
  cells: NotebookInfoCell[];
  inputs: { name: string; value?: unknown }[];
}

function jsonValue(value: unknown): { ok: boolean; value?: unknown } {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? { ok: false } : { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

export function notebookInfo(kernel: Kernel): NotebookInfo {
  const graph = new Map(kernel.graphCells().map((g) => [g.id, g]));
  const cells: NotebookInfoCell[] = kernel.cells().map((c) => {
    const g = graph.get(c.id);
    return {
      id: c.id,
      name: c.name,
      type: c.type,
      code: c.code,
      disabled: c.disabled,
      line: c.line,
      defs: g?.defs ?? [],
      refs: g?.refs ?? [],
      errors: g?.errors ?? [],
      lastRun: c.lastRun?.status ?? null,
    };
  });
  const seen = new Set<string>();
  const inputs: { name: string; value?: unknown }[] = [];
  for (const c of cells) {
    if (c.type !== "code") continue;
    for (const name of c.refs) {
      if (seen.has(name) || kernel.graph.definersOf(name).length > 0) continue;
      seen.add(name);
      const entry: { name: string; value?: unknown } = { name };
      if (kernel.scope.has(name)) {
        const v = jsonValue(kernel.scope.get(name));
        if (v.ok) entry.value = v.value;
      }
      inputs.push(entry);
    }
  }
  return { path: kernel.notebookPath, language: kernel.language, cells, inputs };
}

/** Adds `notebook_info` to a kernel's router (answered at its turn, like any queued request). */
export function registerNotebookInfo(kernel: Kernel): void {
  kernel.router.register(
    NOTEBOOK_INFO,
    (_req: unknown, ctx: RequestContext) => {
      ctx.reply("notebook_info_reply", { ...notebookInfo(ctx.kernel) });
    },
    "transport-ws",
  );
}

/** The same, as a KernelPlugin for `createKernel({ plugins })` or a config's `plugins`. */
export const notebookInfoPlugin: KernelPlugin = {
  name: "kernelkit:notebook-info",
  apply: registerNotebookInfo,
};
