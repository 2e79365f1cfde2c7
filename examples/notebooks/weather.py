# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Two weeks of April weather
# Three stations, one CSV file, only the standard library (`csv`, `statistics`).
# kernelkit reads which names each cell defines and uses, and runs the cells in
# dependency order — which is why the summary can come first in this file.
#
# One branch fails on purpose: `hot_days` divides by the number of days at 30 °C or
# more, and there were none. That cell raises `ZeroDivisionError`, the cell that reads
# its result is cancelled, and every other cell still runs
# (`kernelkit run examples/notebooks/weather.py` exits 1 and says which).

# %% summary
print(
    f"{len(readings)} readings from {len(stations)} stations; warmest: "
    f"{warmest['station']} on {warmest['date']} ({warmest['temp_c']} °C)"
)
report

# %% load
import csv
from pathlib import Path

# Cells run in the notebook's folder, so relative paths are relative to this file.
with Path("data/weather.csv").open(newline="") as f:
    raw_rows = list(csv.DictReader(f))
print(f"read {len(raw_rows)} rows")


# %% clean
def parse(row):
    """One reading, or None when the row is malformed (missing or non-numeric fields)."""
    try:
        return {
            "date": row["date"],
            "station": row["station"],
            "temp_c": float(row["temp_c"]),
            "rain_mm": float(row["rain_mm"]),
        }
    except (TypeError, ValueError, KeyError):
        return None


parsed = [parse(row) for row in raw_rows]
readings = [r for r in parsed if r is not None]
print(f"kept {len(readings)} readings, skipped {len(parsed) - len(readings)} malformed rows")

# %% by_station
import statistics
from collections import defaultdict

# Names starting with _ are private to their cell: the loop variable does not clash with
# any other cell's names and is gone after the cell ran.
by_station = defaultdict(list)
for _reading in readings:
    by_station[_reading["station"]].append(_reading)
stations = sorted(by_station)
stats = {
    name: {
        "mean": statistics.mean(r["temp_c"] for r in rows),
        "median": statistics.median(r["temp_c"] for r in rows),
        "stdev": statistics.stdev(r["temp_c"] for r in rows),
        "rain": sum(r["rain_mm"] for r in rows),
        "rainy_days": sum(1 for r in rows if r["rain_mm"] > 0),
    }
    for name, rows in by_station.items()
}

# %% report
import html


class StationTable:
    """Renders as an HTML table where a front end can show one, and as text elsewhere."""

    HEADERS = ("station", "mean °C", "median °C", "stdev °C", "rain mm", "rainy days")

    def __init__(self, stats):
        self.stats = stats

    def rows(self):
        for name in sorted(self.stats):
            s = self.stats[name]
            yield (name, f"{s['mean']:.1f}", f"{s['median']:.1f}", f"{s['stdev']:.1f}", f"{s['rain']:.1f}", str(s["rainy_days"]))

    def _repr_html_(self):
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self.HEADERS)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in self.rows()
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def __repr__(self):
        table = [self.HEADERS, *self.rows()]
        widths = [max(len(row[i]) for row in table) for i in range(len(self.HEADERS))]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table)


report = StationTable(stats)
report


# %% rain_chart
class BarChart:
    """A horizontal bar chart as SVG (image/svg+xml), with a text fallback."""

    def __init__(self, values, unit):
        self.values = values
        self.unit = unit

    def _repr_svg_(self):
        top = max(self.values.values()) or 1
        bars = []
        for i, (label, value) in enumerate(sorted(self.values.items())):
            y = 10 + i * 28
            width = 300 * value / top
            bars.append(
                f'<text x="0" y="{y + 15}" font-size="12">{html.escape(label)}</text>'
                f'<rect x="70" y="{y}" width="{width:.1f}" height="20" fill="steelblue"/>'
                f'<text x="{76 + width:.1f}" y="{y + 15}" font-size="12">{value:.1f} {self.unit}</text>'
            )
        height = 20 + 28 * len(self.values)
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="440" height="{height}">{"".join(bars)}</svg>'

    def __repr__(self):
        return "\n".join(f"{label:<8} {value:6.1f} {self.unit}" for label, value in sorted(self.values.items()))


rain_chart = BarChart({name: s["rain"] for name, s in stats.items()}, "mm")
rain_chart

# %% warmest
warmest = max(readings, key=lambda r: r["temp_c"])
warmest

# %% threshold
# An input: over the protocol, `set_inputs {"threshold_c": 12}` re-runs only the cells
# that read it.
threshold_c = 15.0

# %% warm_days
warm_days = {name: sum(1 for r in rows if r["temp_c"] >= threshold_c) for name, rows in by_station.items()}
print(f"days at {threshold_c} °C or more, per station:")
warm_days

# %% hot_days
# The deliberate failure: no reading reached 30 °C, so this divides by zero.
hot = [r for r in readings if r["temp_c"] >= 30]
rain_on_hot_days = sum(r["rain_mm"] for r in hot) / len(hot)

# %% hot_report
# Reads `rain_on_hot_days`, so it is cancelled when `hot_days` fails.
print(f"average rain on hot days: {rain_on_hot_days:.1f} mm")
