// `-p NAME VALUE` takes two words; the option parser takes one. Kept apart from parameters.ts
// so the CLI's entry loads nothing else.

/**
 * Joins `-p NAME VALUE` (two words) into `--parameter NAME=VALUE` before the command line is
 * parsed, so the option parser sees one value. `-p NAME=VALUE` is accepted as it is.
 */
export function joinParameterPairs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      out.push(...argv.slice(i));
      break;
    }
    if ((a === "-p" || a === "--parameter") && i + 1 < argv.length) {
      const name = argv[i + 1]!;
      if (!name.includes("=") && i + 2 < argv.length) {
        out.push("--parameter", `${name}=${argv[i + 2]}`);
        i += 2;
        continue;
      }
      out.push("--parameter", name);
      i += 1;
      continue;
    }
    out.push(a);
  }
  return out;
}
