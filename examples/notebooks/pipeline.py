# %% [markdown]
# # An async pipeline in Python cells
# Cells may `await` at top level; kernelkit runs the coroutine to completion before the
# cells that depend on it. `display()` adds outputs while a cell runs, and values that
# offer `_repr_markdown_` or `_repr_json_` show as Markdown or JSON.

# %% sources
sources = {"alpha": 0.03, "beta": 0.01, "gamma": 0.02}  # name -> simulated latency (s)

# %% fetch
import asyncio
import time


async def fetch(name, latency):
    await asyncio.sleep(latency)
    return {"source": name, "items": len(name) * 3, "latency_ms": round(latency * 1000)}


_started = time.perf_counter()
results = await asyncio.gather(*(fetch(name, latency) for name, latency in sources.items()))
# The three waits overlap: the whole cell takes about as long as the slowest source.
print(f"fetched {len(results)} sources in {time.perf_counter() - _started:.2f} s")


# %% progress
class Progress:
    def __init__(self, done, total):
        self.done, self.total = done, total

    def _repr_markdown_(self):
        return f"**{self.done}/{self.total}** sources merged"

    def __repr__(self):
        return f"{self.done}/{self.total} sources merged"


merged = {}
for _i, _result in enumerate(results, 1):
    merged[_result["source"]] = _result["items"]
    display(Progress(_i, len(results)))


# %% summary
class Summary:
    def __init__(self, merged):
        self.merged = merged

    def _repr_json_(self):
        return {"sources": sorted(self.merged), "total_items": sum(self.merged.values())}

    def __repr__(self):
        return f"Summary({sum(self.merged.values())} items from {len(self.merged)} sources)"


Summary(merged)
