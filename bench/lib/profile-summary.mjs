// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function, top N, to stdout.
// Usage: node bench/lib/profile-summary.mjs FILE.cpuprofile [N]
import { readFileSync } from "node:fs";

export function summarizeProfile(profile, top = 25) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const n = byId.get(profile.samples[i]);
    const f = n.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return {
    totalMs: total / 1000,
    top: [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => ({ fn: k, ms: v / 1000, pct: (100 * v) / total })),
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop())) {
  const s = summarizeProfile(
    JSON.parse(readFileSync(process.argv[2], "utf8")),
    Number(process.argv[3] ?? 25),
  );
  console.log(`total ${s.totalMs.toFixed(1)} ms`);
  for (const t of s.top)
    console.log(`${t.ms.toFixed(1).padStart(9)} ms ${t.pct.toFixed(1).padStart(5)}%  ${t.fn}`);
}
