import { csvRows } from '../csv.js';
import { load, ModelError, type SimilarReport } from '../../index.js';
import type { Format } from '../format.js';
import { reportRecords, type InputOptions } from '../input.js';
import { backendOf, stderrLog } from '../options.js';

interface SimilarFlags extends InputOptions {
  model: string;
  format: Format;
  top: number;
  minSimilarity: number;
  excludeSameId: boolean;
}

/** One report's answer: the similar training reports, or why the report could not be read. */
interface Found {
  id: string;
  similar?: SimilarReport[];
  error?: string;
}

const round = (x: number) => Math.round(x * 10000) / 10000;

/** One report's answer in the chosen format (the first of `count` records written so far, for JSON's brackets). */
function formatFound(f: Found, format: Format, showId: boolean, count: number): string {
  switch (format) {
    case 'json':
    case 'jsonl': {
      const record =
        f.error !== undefined
          ? { id: f.id, error: f.error }
          : { id: f.id, similar: f.similar!.map((s) => ({ id: s.id, labels: s.labels, similarity: round(s.similarity) })) };
      if (format === 'jsonl') return JSON.stringify(record) + '\n';
      return `${count === 0 ? '[\n' : ',\n'}${JSON.stringify(record, null, 2).replace(/^/gm, '  ')}`;
    }
    case 'csv':
      if (f.error !== undefined) return csvRows([[f.id, '', '', '', '', f.error]]);
      if (f.similar!.length === 0) return csvRows([[f.id, '', '', '', '', '']]);
      return csvRows(f.similar!.map((s, k) => [f.id, k + 1, s.id, s.labels.join(';'), s.similarity.toFixed(4), '']));
    case 'text': {
      const id = showId ? `${f.id}\t` : '';
      if (f.error !== undefined) return `${id}-\t-\terror: ${f.error.replace(/\s+/g, ' ')}\n`;
      if (f.similar!.length === 0) return `${id}-\t-\t(no similar training report)\n`;
      return f.similar!.map((s) => `${id}${s.similarity.toFixed(4)}\t${s.id}\t${s.labels.join(',')}\n`).join('');
    }
  }
}

/** Writes to stdout, waiting when its buffer is full. */
function write(text: string): Promise<void> {
  if (text === '' || process.stdout.write(text)) return Promise.resolve();
  return new Promise((resolve) => process.stdout.once('drain', resolve));
}

export async function similar(args: string[], o: SimilarFlags): Promise<void> {
  const { records, showIds } = await reportRecords(args, o, 'similar');
  const model = await load(o.model, backendOf());
  if (!model.hasIndex)
    throw new ModelError(`model ${o.model} keeps no index of its training reports, so it cannot find similar ones`, {
      code: 'NO_INDEX',
      advice: 'retrain it with bugcat train --keep-index',
    });
  if (o.format === 'csv') await write(csvRows([['id', 'rank', 'similar_id', 'labels', 'similarity', 'error']]));
  let count = 0;
  let failed = 0;
  const empty: string[] = [];
  for await (const r of records) {
    let found: Found;
    if (r.error !== undefined) {
      found = { id: r.id, error: r.error };
      failed++;
    } else {
      const options = { top: o.top, minSimilarity: o.minSimilarity, ...(o.excludeSameId ? { exclude: [r.id] } : {}) };
      found = { id: r.id, similar: model.similar(r.text, options) };
      if (r.text.trim() === '') empty.push(r.id);
    }
    // Text shows the report's id when reports came from paths, or when there are several.
    await write(formatFound(found, o.format, showIds || args.length > 1, count));
    count++;
  }
  if (o.format === 'json') await write(count === 0 ? '[]\n' : '\n]\n');
  if (empty.length)
    stderrLog(
      `warning: ${empty.length} report${empty.length === 1 ? ' is' : 's are'} empty (${empty.slice(0, 5).join(', ')}${empty.length > 5 ? ', ...' : ''}): no training report is similar to ${empty.length === 1 ? 'it' : 'them'}`,
    );
  if (failed) {
    stderrLog(`warning: ${failed} of ${count} reports could not be read; the others were compared (exit code 3)`);
    process.exitCode = 3;
  }
}
