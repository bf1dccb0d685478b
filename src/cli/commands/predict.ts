import { existsSync, statSync } from 'node:fs';
import { DataError, decodeReport, load, readReportFile, readReports, UsageError, type Reports } from '../../index.js';
import { formatPredictions, type Format, type IdentifiedPrediction } from '../format.js';
import { readOptionsOf, runtimeOf, type ColumnOptions } from '../options.js';

interface PredictOptions extends ColumnOptions {
  model: string;
  file?: string[];
  data?: string;
  format: Format;
  top: number;
  minConfidence: number;
  reviewLabel: string;
}

/** Reports from exactly one source: arguments (texts or files), --file, --data, or stdin. */
async function gather(args: string[], o: PredictOptions): Promise<{ reports: Reports; showIds: boolean }> {
  const sources = [args.length > 0, (o.file?.length ?? 0) > 0, o.data !== undefined].filter(Boolean).length;
  if (sources > 1) throw new UsageError('give reports one way only: as arguments, with --file, or with --data');
  if (o.data !== undefined) {
    const reports = readReports(o.data, readOptionsOf(o));
    return { reports, showIds: true };
  }
  if (args.length || o.file?.length) {
    const ids: string[] = [];
    const texts: string[] = [];
    let files = 0;
    for (const arg of o.file ?? []) {
      ids.push(arg);
      texts.push(readReportFile(arg));
    }
    for (const [i, arg] of args.entries()) {
      const isFile = existsSync(arg) && statSync(arg).isFile();
      ids.push(isFile ? arg : String(i + 1));
      texts.push(isFile ? readReportFile(arg) : arg);
      if (isFile) files++;
    }
    return { reports: { ids, texts }, showIds: (o.file?.length ?? 0) > 0 || files > 0 };
  }
  if (process.stdin.isTTY) {
    throw new UsageError('no report given: pass report text as an argument, use --file or --data, or pipe a report on stdin');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = decodeReport(Buffer.concat(chunks), 'stdin');
  if (text.trim() === '') throw new DataError('stdin is empty: pipe a report into bugcat predict, or pass it as an argument');
  return { reports: { ids: ['stdin'], texts: [text] }, showIds: false };
}

export async function predict(args: string[], o: PredictOptions): Promise<void> {
  const { reports, showIds } = await gather(args, o);
  const model = await load(o.model, runtimeOf());
  const preds: IdentifiedPrediction[] = model
    .predict(reports.texts, { top: o.top, minConfidence: o.minConfidence, reviewLabel: o.reviewLabel })
    .map((p, i) => ({ ...p, id: reports.ids[i] }));
  process.stdout.write(formatPredictions(preds, o.format, o.top, showIds));
}
