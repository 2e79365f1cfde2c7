// Runs a suite outside any test runner and turns the verdicts into a tiered scorecard
// (CLI.md, `conformance --json`).
import {
  type CaseContext,
  type ConformanceCase,
  ConformanceFailure,
  type ConformanceSuite,
  isNotApplicable,
  type PluginKind,
  TIER_TITLES,
  type Tier,
} from "./case.ts";

export interface CaseVerdict {
  name: string;
  /** true passed, false failed, null not applicable (never counted as passed). */
  ok: boolean | null;
  /** Why the case failed, or "n/a: <reason>" when it is not applicable; null when it passed. */
  message: string | null;
}

export interface TierScore {
  tier: Tier;
  /** Cases that passed (not applicable ones are not). */
  passed: number;
  /** Every case of the tier, not applicable ones included. */
  total: number;
  cases: CaseVerdict[];
}

/** The cases of a tier its samples declared not applicable. */
export function notApplicableCount(t: TierScore): number {
  return t.cases.filter((c) => c.ok === null).length;
}

/** Every case passed or is not applicable. */
export function tierPassed(t: TierScore): boolean {
  return t.passed + notApplicableCount(t) === t.total;
}

/** The reason of a not applicable verdict, without its "n/a: " prefix. */
export function notApplicableReason(c: CaseVerdict): string {
  return (c.message ?? "").replace(/^n\/a: /, "");
}

export interface Scorecard {
  schemaVersion: 1;
  plugin: string;
  kind: PluginKind;
  tiers: TierScore[];
}

/** The message of whatever a case threw, one paragraph. */
export function failureMessage(error: unknown): string {
  if (error instanceof ConformanceFailure || (error as { code?: unknown })?.code === "KK_CONFORMANCE") {
    const e = error as ConformanceFailure;
    return e.hint ? `${e.message} (hint: ${e.hint})` : e.message;
  }
  const e = error as { name?: unknown; message?: unknown };
  if (typeof e?.message === "string") return `${typeof e.name === "string" ? e.name : "Error"}: ${e.message}`;
  return String(error);
}

/** Runs one case with its cleanups and its time bound; throws what the case threw. */
export async function runCase(c: ConformanceCase, defaultTimeoutMs: number): Promise<void> {
  const cleanups: (() => unknown)[] = [];
  const ctx: CaseContext = { defer: (fn) => void cleanups.push(fn) };
  const ms = c.timeoutMs ?? defaultTimeoutMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConformanceFailure(`the case did not finish within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([Promise.resolve().then(() => c.run(ctx)), timeout]);
  } finally {
    clearTimeout(timer);
    // Cleanups are bounded too: a plugin whose dispose hangs must not hang the report.
    for (const fn of cleanups.reverse()) {
      let t: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.resolve()
          .then(fn)
          .catch(() => {}),
        new Promise((r) => {
          t = setTimeout(r, 5000);
        }),
      ]);
      clearTimeout(t);
    }
  }
}

export interface RunSuiteOptions {
  /** Called after each case (progress display). */
  onCase?(c: ConformanceCase, verdict: CaseVerdict): void;
}

/** Runs every case in tier order and scores it. Never throws for a failing case. */
export async function runSuite(suite: ConformanceSuite, options: RunSuiteOptions = {}): Promise<Scorecard> {
  const tiers = new Map<Tier, TierScore>();
  for (const tier of [1, 2, 3, 4] as Tier[]) tiers.set(tier, { tier, passed: 0, total: 0, cases: [] });
  for (const c of [...suite.cases].sort((a, b) => a.tier - b.tier)) {
    const verdict = await caseVerdict(c, suite.timeoutMs);
    const score = tiers.get(c.tier)!;
    score.total++;
    if (verdict.ok === true) score.passed++;
    score.cases.push(verdict);
    options.onCase?.(c, verdict);
  }
  return {
    schemaVersion: 1,
    plugin: suite.plugin,
    kind: suite.kind,
    tiers: [...tiers.values()].filter((t) => t.total > 0),
  };
}

/** Runs one case into its verdict: declared or thrown NotApplicable is n/a, never passed. */
export async function caseVerdict(c: ConformanceCase, defaultTimeoutMs: number): Promise<CaseVerdict> {
  if (c.notApplicable !== undefined) return { name: c.name, ok: null, message: `n/a: ${c.notApplicable}` };
  try {
    await runCase(c, defaultTimeoutMs);
    return { name: c.name, ok: true, message: null };
  } catch (error) {
    if (isNotApplicable(error)) return { name: c.name, ok: null, message: `n/a: ${error.reason}` };
    return { name: c.name, ok: false, message: failureMessage(error) };
  }
}

/** Every case passed or is not applicable. */
export function scorecardPassed(card: Scorecard): boolean {
  return card.tiers.every(tierPassed);
}

/** "tier 1 passed, tier 2 passed (1 n/a), tier 3: 4/6, tier 4: 0/3". */
export function summarize(card: Scorecard): string {
  return card.tiers
    .map((t) => {
      const n = notApplicableCount(t);
      const na = n > 0 ? ` (${n} n/a)` : "";
      return tierPassed(t) ? `tier ${t.tier} passed${na}` : `tier ${t.tier}: ${t.passed}/${t.total - n}${na}`;
    })
    .join(", ");
}

/** Plain text for a terminal. */
export function formatScorecardText(
  card: Scorecard,
  color: (ok: boolean, s: string) => string = (_, s) => s,
): string {
  const lines = [`${card.kind} conformance: ${card.plugin}`];
  for (const t of card.tiers) {
    const ok = tierPassed(t);
    const n = notApplicableCount(t);
    const na = n > 0 ? `, ${n} n/a` : "";
    lines.push(
      color(
        ok,
        `  tier ${t.tier} (${TIER_TITLES[t.tier]}): ${t.passed}/${t.total - n}${ok ? " passed" : ""}${na}`,
      ),
    );
    for (const c of t.cases) {
      if (c.ok === true) lines.push(`    ✓ ${c.name}`);
      else if (c.ok === null) lines.push(`    - ${c.name}  ${c.message}`);
      else lines.push(color(false, `    ✗ ${c.name}\n        ${c.message}`));
    }
  }
  lines.push(summarize(card));
  return `${lines.join("\n")}\n`;
}

function mdCell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** Markdown for a README or a pull request. */
export function formatScorecardMarkdown(card: Scorecard): string {
  const lines = [
    `## ${card.kind} conformance: \`${card.plugin}\``,
    "",
    `**${summarize(card)}**`,
    "",
    "| tier | | passed | n/a |",
    "|---|---|---|---|",
  ];
  for (const t of card.tiers) {
    const n = notApplicableCount(t);
    lines.push(`| ${t.tier} | ${TIER_TITLES[t.tier]} | ${t.passed}/${t.total - n} | ${n} |`);
  }
  for (const t of card.tiers) {
    lines.push("", `### Tier ${t.tier}: ${TIER_TITLES[t.tier]}`, "", "| case | result |", "|---|---|");
    for (const c of t.cases) {
      const result =
        c.ok === true
          ? "✅ passed"
          : c.ok === null
            ? `➖ ${mdCell(c.message ?? "n/a")}`
            : `❌ ${mdCell(c.message ?? "failed")}`;
      lines.push(`| ${mdCell(c.name)} | ${result} |`);
    }
  }
  return `${lines.join("\n")}\n`;
}
