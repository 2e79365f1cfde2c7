// This kernel's inputs for history_request: tail, range and search (glob patterns, unique),
// as IPython's history manager answers them for the current session.
export type HistoryEntry = [session: number, line: number, input: string | [string, string | null]];

/** The only session a kernel process has; 0 and negative numbers in requests are relative to it. */
export const SESSION = 1;

function globToRegExp(pattern: string): RegExp {
  let re = "";
  for (const ch of pattern) {
    if (ch === "*") re += "[\\s\\S]*";
    else if (ch === "?") re += "[\\s\\S]";
    else re += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

export class History {
  private readonly inputs: { line: number; code: string }[] = [];

  add(line: number, code: string): void {
    this.inputs.push({ line, code });
  }

  request(content: Record<string, unknown>): HistoryEntry[] {
    const output = content.output === true;
    const raw = content.raw !== false;
    void raw;
    const shape = (e: { line: number; code: string }): HistoryEntry =>
      output ? [SESSION, e.line, [e.code, null]] : [SESSION, e.line, e.code];
    const op = content.hist_access_type;
    if (op === "tail") {
      const n = typeof content.n === "number" ? content.n : 10;
      return this.inputs.slice(Math.max(0, this.inputs.length - n)).map(shape);
    }
    if (op === "range") {
      const session = typeof content.session === "number" ? content.session : 0;
      if (session > 0 && session !== SESSION) return [];
      if (session < 0) return [];
      const start = typeof content.start === "number" ? content.start : 0;
      const stop = typeof content.stop === "number" ? content.stop : null;
      return this.inputs.filter((e) => e.line >= start && (stop === null || e.line < stop)).map(shape);
    }
    if (op === "search") {
      const pattern = typeof content.pattern === "string" ? content.pattern : "*";
      const re = globToRegExp(pattern);
      let found = this.inputs.filter((e) => re.test(e.code));
      if (content.unique === true) {
        const seen = new Set<string>();
        const kept: typeof found = [];
        // The most recent occurrence of each input wins, as IPython's `unique`.
        for (let i = found.length - 1; i >= 0; i--) {
          const e = found[i]!;
          if (seen.has(e.code)) continue;
          seen.add(e.code);
          kept.unshift(e);
        }
        found = kept;
      }
      const n = typeof content.n === "number" ? content.n : null;
      if (n !== null && n > 0) found = found.slice(Math.max(0, found.length - n));
      return found.map(shape);
    }
    return [];
  }
}
