// Cases a language cannot express: declared by the samples (or an optional sample left out),
// shown as n/a on every scorecard and never counted as passed.
import { describe, expect, it } from "vitest";
import {
  createReferenceExecutor,
  EXECUTOR_CASE_IDS,
  executorSuite,
  formatScorecardMarkdown,
  formatScorecardText,
  javascriptSamples,
  type LanguageSamples,
  runSuite,
  scorecardPassed,
} from "../src/cases.ts";

describe("not applicable cases", () => {
  it("every executor case has an id listed in EXECUTOR_CASE_IDS", () => {
    const ids = executorSuite("x", createReferenceExecutor).cases.map((c) => c.id);
    expect(ids).toEqual([...EXECUTOR_CASE_IDS]);
  });

  it("an unknown id in the samples' notApplicable is a coded error listing the ids", () => {
    const samples: LanguageSamples = { ...javascriptSamples, notApplicable: { tracebak: "typo" } };
    expect(() => executorSuite("x", createReferenceExecutor, { samples })).toThrow(
      expect.objectContaining({
        code: "KK_CONFORMANCE_SAMPLES",
        message: expect.stringContaining("tracebak"),
      }),
    );
  });

  it("shows declared and omitted cases as n/a in text, Markdown and JSON, and never as passed", async () => {
    const { display: _omitted, ...rest } = javascriptSamples;
    const samples: LanguageSamples = { ...rest, notApplicable: { traceback: "no line-numbered frames" } };
    const suite = executorSuite("ref", createReferenceExecutor, { samples });
    // The two n/a cases and one that runs are enough to see how the scorecard counts them.
    const picked = {
      ...suite,
      cases: suite.cases.filter((c) => ["display", "traceback", "output"].includes(c.id!)),
    };
    const card = await runSuite(picked);
    const all = card.tiers.flatMap((t) => t.cases);
    expect(all.find((c) => c.name.startsWith("display()"))).toEqual({
      name: "display() adds an output while the cell runs",
      ok: null,
      message: "n/a: the code samples give no display() cell",
    });
    expect(all.find((c) => c.name.startsWith("the traceback"))).toMatchObject({
      ok: null,
      message: "n/a: no line-numbered frames",
    });
    // n/a cases are in `total` (so total is the number of cases) but never in `passed`.
    expect(card.tiers.find((t) => t.tier === 1)).toMatchObject({ passed: 1, total: 2 });
    expect(card.tiers.find((t) => t.tier === 2)).toMatchObject({ passed: 0, total: 1 });
    expect(scorecardPassed(card)).toBe(true);
    const text = formatScorecardText(card);
    expect(text).toContain("n/a: no line-numbered frames");
    expect(text).toContain("tier 1 passed (1 n/a)");
    expect(text).not.toMatch(/✓ the traceback/);
    expect(formatScorecardMarkdown(card)).toContain("➖ n/a: no line-numbered frames");
  });
});
