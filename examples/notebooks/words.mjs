// %% [markdown]
// # Words in a poem — a plain JavaScript notebook
// Cells are written in the order that reads best, not the order they run in: kernelkit works
// out that `report` needs `counts`, which needs `words`, and runs them in that order.
// Names that start with `_` stay private to their cell.

// %% report
// Runs last, although it comes first: it reads `counts` and `top`.
display.markdown(`**${counts.size}** distinct words, **${words.length}** in all.`);
({
  top,
  // A value can offer rich output: kernelkit asks it for a mime bundle.
  [Symbol.for("kernelkit.display")]() {
    const rows = top.map(([w, n]) => `<tr><td>${w}</td><td>${"█".repeat(n)} ${n}</td></tr>`).join("");
    return { "text/html": `<table>${rows}</table>`, "text/plain": top.map(([w, n]) => `${w} ${n}`).join("\n") };
  },
});

// %% poem
const poem = `
The fog comes
on little cat feet.
It sits looking
over harbor and city
on silent haunches
and then moves on.
The fog is the fog, and the city is the city.
`;

// %% words
const _lower = poem.toLowerCase();
const words = _lower.match(/[a-z']+/g) ?? [];
console.log(`split ${poem.trim().split("\n").length} lines into ${words.length} words`);

// %% counts
const counts = new Map();
for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
const top = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5);
top.map(([w, n]) => `${w}×${n}`).join(", ");

// %% slow [disabled]
// A disabled cell never runs, and neither do cells that depend on it.
await new Promise((r) => setTimeout(r, 60_000));
