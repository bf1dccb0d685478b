import { csvRows } from '../csv.js';
import {
  checkStudyDir,
  load,
  readReports,
  selectForLabelling,
  writeStudyLayout,
  type Selection,
  type StudyLayout,
  type LabellingSuggestion,
  type Uncertainty,
} from '../../index.js';
import { gatherReports, type InputOptions } from '../input.js';
import { backendOf, logOf, readOptionsOf, runtimeOf, stderrLog } from '../options.js';

interface NextOptions extends InputOptions {
  model?: string;
  labelled?: string;
  top: number;
  format: 'csv' | 'jsonl' | 'text';
  outDir?: string;
  layout: StudyLayout;
  force?: boolean;
  uncertainty: Uncertainty;
  diversity: number;
  density: number;
  explore: number;
  seed: number;
  quiet?: boolean;
}

/** The folder of the study's layout the proposals go to: its undecided reports', which training leaves out. */
const UNLABELLED_FOLDER = 'manual-review';

export async function next(args: string[], o: NextOptions): Promise<void> {
  if (o.outDir) checkStudyDir(o.outDir, o.force);
  const { reports: pool } = await gatherReports(args, o, 'next');
  const labelled = o.labelled ? readReports(o.labelled, readOptionsOf(o, { labelColumn: o.labelColumn ?? 'label' })) : undefined;
  const model = o.model ? await load(o.model, backendOf()) : undefined;
  if (!model && labelled && !o.quiet) stderrLog(`training a model on the ${labelled.texts.length} labelled reports of ${o.labelled} ...`);
  const selection = await selectForLabelling(pool, {
    n: o.top,
    model,
    labelled,
    trainOptions: { ...runtimeOf(), onProgress: logOf(o) },
    uncertainty: o.uncertainty,
    diversity: o.diversity,
    density: o.density,
    explore: o.explore,
    seed: o.seed,
  });
  process.stdout.write(formatSelection(selection, o.format));
  if (o.outDir) {
    const written = writeStudyLayout(
      o.outDir,
      selection.suggestions.map((s) => ({
        id: s.id,
        category: UNLABELLED_FOLDER,
        scores: s.scores.map((t) => ({ label: t.label, score: t.probability })),
        text: s.text,
      })),
      { force: o.force, layout: o.layout },
    );
    stderrLog(
      `wrote ${written.files} reports to ${o.outDir}/${o.layout === 'llm' ? 'output/' : ''}${UNLABELLED_FOLDER}: move each into its category's folder to label it`,
    );
  }
  summarise(selection, o);
}

const round = (x: number | null) => (x === null ? null : Math.round(x * 10000) / 10000);

/** The proposals as CSV (a blank label column to fill in), JSON Lines or text. */
export function formatSelection(selection: Selection, format: NextOptions['format']): string {
  const rows = selection.suggestions;
  const f4 = (x: number | null) => (x === null ? '' : x.toFixed(4));
  switch (format) {
    case 'csv':
      return csvRows([
        ['id', 'text', 'label', 'guess', 'probability', 'rank', 'score', 'uncertainty', 'similarity', 'picked'],
        ...rows.map((s) => [
          s.id,
          s.text,
          '',
          s.guess ?? '',
          f4(s.probability),
          s.rank,
          f4(s.score),
          f4(s.uncertainty),
          f4(s.similarity),
          s.picked,
        ]),
      ]);
    case 'jsonl':
      return rows.map((s) => JSON.stringify(record(s)) + '\n').join('');
    case 'text':
      return rows
        .map(
          (s) =>
            `${s.rank}\t${s.id}\t${s.guess ?? '-'}\t${s.probability === null ? '-' : s.probability.toFixed(4)}\t${s.picked}\t${firstLine(s.text)}\n`,
        )
        .join('');
  }
}

const record = (s: LabellingSuggestion) => ({
  id: s.id,
  text: s.text,
  label: null,
  guess: s.guess,
  probability: round(s.probability),
  rank: s.rank,
  picked: s.picked,
  score: round(s.score),
  uncertainty: round(s.uncertainty),
  similarity: round(s.similarity),
  top: s.scores.slice(0, 3).map((t) => ({ label: t.label, probability: round(t.probability) })),
});

const firstLine = (text: string) => {
  const line = text.trim().split('\n', 1)[0] ?? '';
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
};

function summarise(s: Selection, o: NextOptions): void {
  if (o.quiet) return;
  const left = s.excluded.labelled + s.excluded.duplicates + s.excluded.empty;
  const drawn = s.suggestions.filter((x) => x.picked === 'random').length;
  stderrLog(
    `proposed ${s.suggestions.length} of ${s.pool} reports (${s.strategy === 'seed' ? 'no model: a diverse seed set of typical reports' : `ranked by the model's doubt, weighed against redundancy${drawn ? `; ${drawn} drawn at random (--explore ${o.explore})` : ''}`})` +
      (left
        ? `; left out ${s.excluded.labelled} labelled already, ${s.excluded.duplicates} copies, ${s.excluded.empty} empty or unreadable`
        : ''),
  );
}
