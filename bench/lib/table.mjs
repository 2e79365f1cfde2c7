// The one table `npm run bench` prints: row, floor, peers, kernelkit, ratio, target, met.

const COLUMNS = [
  ["row", "row"],
  ["floor", "floor"],
  ["peers", "peers"],
  ["kernelkit", "kernelkit"],
  ["ratio", "ratio"],
  ["target", "target"],
  ["met", "met"],
];

/** yes / NO; a row without a verdict is "reported" when it has figures, else "not measured". */
const metText = (r) =>
  r.met === true
    ? "yes"
    : r.met === false
      ? "NO"
      : r.kernelkit && r.kernelkit !== "—"
        ? "reported"
        : "not measured";

export function renderTable(rows) {
  const cells = rows.map((r) => COLUMNS.map(([key]) => (key === "met" ? metText(r) : String(r[key] ?? "—"))));
  const head = COLUMNS.map(([, title]) => title);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => `| ${c.map((v, i) => v.padEnd(widths[i])).join(" | ")} |`;
  const out = [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.map(line)];
  const notes = rows.filter((r) => r.note).map((r) => `- ${r.row}: ${r.note}`);
  if (notes.length > 0) out.push("", "Notes:", ...notes);
  return out.join("\n");
}
