// ---
// jupyter:
//   jupytext:
//     text_representation:
//       extension: .ts
//       format_name: percent
// ---

// %% [markdown]
// # September sales
// A reactive notebook: each cell declares what it defines and reads, and kernelkit
// runs them in dependency order. Edit `threshold` and only the cells that read it re-run.

// %% load
import { readFile } from "node:fs/promises";
import { join } from "node:path";

// An async read of a local data file; the notebook's folder is the working directory.
const csv = await readFile(join("data", "sales.csv"), "utf8");
const [header, ...lines] = csv.trim().split("\n");
console.log(`read ${lines.length} rows with columns ${header}`);

// %% parse
interface Sale {
  date: string;
  region: string;
  product: string;
  units: number;
  unitPrice: number;
}

const parseRow = (line: string): Sale => {
  const [date, region, product, units, unitPrice] = line.split(",");
  return { date: date!, region: region!, product: product!, units: Number(units), unitPrice: Number(unitPrice) };
};
const sales: Sale[] = lines.map(parseRow).filter((s) => Number.isFinite(s.units));
const skipped = lines.length - sales.length;
console.log(`kept ${sales.length} rows, skipped ${skipped} malformed`);

// %% model
class Ledger {
  private totals = new Map<string, number>();
  add(key: string, amount: number): this {
    this.totals.set(key, (this.totals.get(key) ?? 0) + amount);
    return this;
  }
  top(n: number): [string, number][] {
    return [...this.totals].sort((a, b) => b[1] - a[1]).slice(0, n);
  }
  get size(): number {
    return this.totals.size;
  }
}

// %% by_region
const byRegion = new Ledger();
for (const s of sales) byRegion.add(s.region, s.units * s.unitPrice);
console.table(byRegion.top(4).map(([region, revenue]) => ({ region, revenue: Number(revenue.toFixed(2)) })));

// %% threshold
const threshold = 150;

// %% big_days
const revenueByDay = new Map<string, number>();
for (const s of sales) revenueByDay.set(s.date, (revenueByDay.get(s.date) ?? 0) + s.units * s.unitPrice);
const bigDays = [...revenueByDay].filter(([, revenue]) => revenue > threshold * 10);
`${bigDays.length} of ${revenueByDay.size} days above ${threshold * 10}`;

// %% chart
// A rich output: the value offers an HTML rendering through Symbol.for("kernelkit.display").
const rows = byRegion
  .top(4)
  .map(([region, revenue]) => `<tr><td>${region}</td><td style="background:#4a8;width:${Math.round(revenue / 20)}px">${revenue.toFixed(0)}</td></tr>`)
  .join("");
const chart = {
  [Symbol.for("kernelkit.display")]: () => ({
    "text/html": `<table>${rows}</table>`,
    "text/plain": `revenue by region (${byRegion.size} regions)`,
  }),
};
chart

// %% forecast
// This branch fails on purpose: a forecast needs a month of history per product,
// and the check below throws. Its descendants are cancelled; the rest still runs.
const history = new Set(sales.map((s) => s.product));
if (history.size < 10) throw new RangeError(`forecast needs 10 products of history, found ${history.size}`);
const forecast = [...history].map((p) => ({ product: p, next: 0 }));

// %% forecast_report
console.log(forecast.map((f) => f.product).join(", "));

// %% summary
const total = sales.reduce((sum, s) => sum + s.units * s.unitPrice, 0);
({ rows: sales.length, skipped, total: Math.round(total), bestRegion: byRegion.top(1)[0]?.[0] })
