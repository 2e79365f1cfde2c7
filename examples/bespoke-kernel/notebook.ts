// %% [markdown]
// # Primes, with a bespoke kernel
// Cells run in a memory-capped worker thread (kernelkit-executor-worker). The `primes` cell is
// slow on purpose: run the notebook twice and the cache lifecycle skips every cell whose code
// and inputs did not change. Change `limit` and only what depends on it runs again.

// %% limit
const limit = 3_000_000;

// %% primes
console.log(`sieving up to ${limit.toLocaleString("en")}…`);
const sieve = new Uint8Array(limit + 1);
const primes: number[] = [];
for (let i = 2; i <= limit; i++) {
  if (sieve[i]) continue;
  primes.push(i);
  for (let j = i * i; j <= limit; j += i) sieve[j] = 1;
}
primes.length;

// %% gaps
let largestGap = 0;
let twins = 0;
for (let k = 1; k < primes.length; k++) {
  const gap = primes[k]! - primes[k - 1]!;
  if (gap > largestGap) largestGap = gap;
  if (gap === 2) twins++;
}
({ largestGap, twins });

// %% units
const units = ["B", "KiB", "MiB"];
units.join(" < ");
