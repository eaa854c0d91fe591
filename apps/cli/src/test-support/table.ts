/**
 * A table mctl printed, as rows of cells: its columns are at least two spaces apart, and a cell
 * holds single spaces at most, so splitting there gives back what each cell said.
 */
export function tableRows(out: string): string[][] {
  return out
    .trimEnd()
    .split('\n')
    .map((line) => line.split(/\s{2,}/));
}
