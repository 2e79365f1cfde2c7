// How human output names a cell: `[n] name` — n its position among all the notebook's cells
// (markdown and raw included), then its name when it has one. Hash ids are for machines.

export function cellLabel(position: number, name: string | null): string {
  return name === null ? `[${position}]` : `[${position}] ${name}`;
}

/**
 * Labels of every cell by id, and by name (core's messages name a cell by its name, else its
 * id). `index` is the cell's position when the list is not the whole notebook.
 */
export function cellLabels(
  cells: readonly { id: string; name: string | null; index?: number | undefined }[],
): Map<string, string> {
  const labels = new Map<string, string>();
  cells.forEach((c, i) => {
    const label = cellLabel(c.index ?? i + 1, c.name);
    labels.set(c.id, label);
    if (c.name !== null && !labels.has(c.name)) labels.set(c.name, label);
  });
  return labels;
}

/**
 * A message with the cells it mentions (`cell 'be0f378681d2'`, `also by 'load', 'x'`,
 * `'a' -> 'b'`, traceback frames `<cell 3f9c…>`) written as those cells' labels, so errors that mention another cell say
 * `[2] load`. Only those forms: a quoted variable that happens to share a cell's name stays.
 */
export function labelCellsIn(message: string, labels: ReadonlyMap<string, string>): string {
  if (labels.size === 0) return message;
  const label = (whole: string, id: string) => labels.get(id) ?? whole;
  return message
    .replace(
      /\b(also by )((?:'[^']+'(?:, )?)+)/g,
      (_m, by: string, list: string) => by + list.replace(/'([^']+)'/g, label),
    )
    .replace(/\b(cells? )'([^']+)'/g, (whole, word: string, id: string) =>
      labels.has(id) ? word + labels.get(id) : whole,
    )
    .replace(/<cell ([^>]+)>/g, (whole, id: string) => (labels.has(id) ? `<cell ${labels.get(id)}>` : whole))
    .replace(
      /'([^']+)' -> '([^']+)'/g,
      (_m, a: string, b: string) => `${labels.get(a) ?? `'${a}'`} -> ${labels.get(b) ?? `'${b}'`}`,
    );
}
