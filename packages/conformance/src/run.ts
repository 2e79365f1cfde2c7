// Runs a suite outside any test runner and turns the verdicts into a tiered scorecard
// (docs/cli.md, `conformance --json`).
import {
  type CaseContext,
  type ConformanceCase,
  ConformanceFailure,
  type ConformanceSuite,
  type PluginKind,
  TIER_TITLES,
  type Tier,
} from "./case.ts";

export interface CaseVerdict {
  name: string;
  ok: boolean;
  /** Why the case failed; null when it passed. */
  message: string | null;
}

export interface TierScore {
  tier: Tier;
  passed: number;
  total: number;
  cases: CaseVerdict[];
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
    let verdict: CaseVerdict;
    try {
      await runCase(c, suite.timeoutMs);
      verdict = { name: c.name, ok: true, message: null };
    } catch (error) {
      verdict = { name: c.name, ok: false, message: failureMessage(error) };
    }
    const score = tiers.get(c.tier)!;
    score.total++;
    if (verdict.ok) score.passed++;
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

export function scorecardPassed(card: Scorecard): boolean {
  return card.tiers.every((t) => t.passed === t.total);
}

/** "tier 1 passed, tier 2 passed, tier 3: 4/6, tier 4: 0/3". */
export function summarize(card: Scorecard): string {
  return card.tiers
    .map((t) => (t.passed === t.total ? `tier ${t.tier} passed` : `tier ${t.tier}: ${t.passed}/${t.total}`))
    .join(", ");
}

/** Plain text for a terminal. */
export function formatScorecardText(
  card: Scorecard,
  color: (ok: boolean, s: string) => string = (_, s) => s,
): string {
  const lines = [`${card.kind} conformance: ${card.plugin}`];
  for (const t of card.tiers) {
    const ok = t.passed === t.total;
    lines.push(
      color(ok, `  tier ${t.tier} (${TIER_TITLES[t.tier]}): ${t.passed}/${t.total}${ok ? " passed" : ""}`),
    );
    for (const c of t.cases) {
      if (c.ok) lines.push(`    ✓ ${c.name}`);
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
    "| tier | | passed |",
    "|---|---|---|",
  ];
  for (const t of card.tiers) lines.push(`| ${t.tier} | ${TIER_TITLES[t.tier]} | ${t.passed}/${t.total} |`);
  for (const t of card.tiers) {
    lines.push("", `### Tier ${t.tier}: ${TIER_TITLES[t.tier]}`, "", "| case | result |", "|---|---|");
    for (const c of t.cases) {
      lines.push(`| ${mdCell(c.name)} | ${c.ok ? "✅ passed" : `❌ ${mdCell(c.message ?? "failed")}`} |`);
    }
  }
  return `${lines.join("\n")}\n`;
}
