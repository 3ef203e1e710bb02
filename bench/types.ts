/** One table printed by `npm run bench`. Ratios are target / baseline measured in the same run. */
export interface BenchSection {
  title: string;
  /** What the baseline is and what the target ratio is, in one or two sentences. */
  note: string;
  header: string[];
  rows: string[][];
}
