// Protocol v1.1 code queries: `complete`, `inspect`, `is_complete`. Answered at once, also while
// a cell runs: a JS executor reads live values without running user code, the language service
// works off the main thread, and an interpreter that must be idle (Python) orders its own
// answers after the running cell. With neither an executor method nor a service the answers
// are honest and empty (docs/types.md).

import type {
  CodeQuery,
  CompletionMatch,
  CompletionReply,
  InspectReply,
  IsCompleteReply,
  ServiceNotebook,
} from "../contract/language-service.ts";
import type { Kernel } from "../kernel/kernel.ts";
import type { HandlerGroup, RequestRouter } from "../kernel/router.ts";
import { isCompleteJs } from "../notebook/is-complete.ts";
import type { RequestContext } from "./handlers.ts";

type QueryContext = RequestContext;

interface QueryRequest {
  code: string;
  cursorPos: number;
  cellId?: string;
  detailLevel?: 0 | 1;
}

/** The kernel's code cells as the language service sees them. */
export function serviceNotebook(kernel: Kernel): ServiceNotebook {
  const cells = [];
  for (const c of kernel.cells()) {
    if (!c.isCode) continue;
    cells.push({ id: c.id, name: c.name, code: c.code, line: c.line, disabled: c.disabled });
  }
  return {
    path: kernel.notebookPath,
    cwd: kernel.cwd,
    language: kernel.language,
    typescript: kernel.typescript,
    cells,
  };
}

function toQuery(req: QueryRequest): CodeQuery {
  const q: { -readonly [K in keyof CodeQuery]: CodeQuery[K] } = {
    code: req.code,
    cursorPos: Math.min(req.cursorPos, req.code.length),
  };
  if (req.cellId !== undefined) q.cellId = req.cellId;
  if (req.detailLevel !== undefined) q.detailLevel = req.detailLevel;
  return q;
}

/** A query a helper could not answer becomes "no answer", never a failed request. */
async function attempt<T>(
  kernel: Kernel,
  what: string,
  fn: () => T | Promise<T> | undefined,
): Promise<T | null> {
  try {
    return (await fn()) ?? null;
  } catch (error) {
    kernel.logger.warn({ err: error }, `${what} failed; answering without it`);
    return null;
  }
}

/** Static matches first (they carry types), then live-only names (runtime keys the types do not know). */
export function mergeCompletions(
  cursorPos: number,
  staticReply: CompletionReply | null,
  liveReply: CompletionReply | null,
): CompletionReply {
  const base = staticReply ?? liveReply;
  if (!base) return { matches: [], cursorStart: cursorPos, cursorEnd: cursorPos };
  if (!staticReply || !liveReply) return base;
  const seen = new Set<string>();
  const matches: CompletionMatch[] = [];
  for (const m of staticReply.matches) {
    seen.add(m.text);
    matches.push(m);
  }
  for (const m of liveReply.matches) if (!seen.has(m.text)) matches.push(m);
  return { matches, cursorStart: staticReply.cursorStart, cursorEnd: staticReply.cursorEnd };
}

async function complete(kernel: Kernel, query: CodeQuery): Promise<CompletionReply> {
  const { executor, languageService } = kernel;
  const live = executor.complete
    ? attempt(kernel, "executor complete", () => executor.complete!(query))
    : null;
  const service =
    kernel.language === "javascript" && languageService
      ? attempt(kernel, "language service complete", () =>
          languageService.complete(serviceNotebook(kernel), query),
        )
      : null;
  return mergeCompletions(query.cursorPos, await service, await live);
}

async function inspect(kernel: Kernel, query: CodeQuery): Promise<InspectReply> {
  const { executor, languageService } = kernel;
  if (kernel.language === "javascript" && languageService) {
    const found = await attempt(kernel, "language service inspect", () =>
      languageService.inspect(serviceNotebook(kernel), query),
    );
    if (found?.found) return found;
  }
  const live = executor.inspect
    ? await attempt(kernel, "executor inspect", () => executor.inspect!(query))
    : null;
  return live ?? { found: false, bundle: {} };
}

async function isComplete(kernel: Kernel, code: string): Promise<IsCompleteReply> {
  if (kernel.language === "javascript") return isCompleteJs(code, kernel.typescript);
  const { executor } = kernel;
  const answer = executor.isComplete
    ? await attempt(kernel, "executor is_complete", () => executor.isComplete!(code))
    : null;
  return answer ?? { status: "unknown" };
}

const handlers: Record<string, (req: any, ctx: QueryContext) => Promise<void>> = {
  async complete(req: QueryRequest, ctx) {
    ctx.reply("complete_reply", { ...(await complete(ctx.kernel, toQuery(req))) });
  },
  async inspect(req: QueryRequest, ctx) {
    ctx.reply("inspect_reply", { ...(await inspect(ctx.kernel, toQuery(req))) });
  },
  async is_complete(req: { code: string }, ctx) {
    ctx.reply("is_complete_reply", { ...(await isComplete(ctx.kernel, req.code)) });
  },
};

export const codeQueryHandlers: HandlerGroup<QueryContext> = {
  name: "code-queries",
  commands: Object.keys(handlers),
  register(router: RequestRouter<QueryContext>) {
    for (const [type, handler] of Object.entries(handlers)) router.register(type, handler, "code-queries");
  },
};
