import { existsSync, statSync } from 'node:fs';
import { DataError, decodeReport, readReportFile, readReports, UsageError, type Reports } from '../index.js';
import { readOptionsOf, type ColumnOptions } from './options.js';

/** Where a command that reads reports to label (predict, explain) may take them from. */
export interface InputOptions extends ColumnOptions {
  file?: string[];
  data?: string;
}

/**
 * Reports from exactly one source: arguments (texts, or files when an argument names one),
 * --file, --data (a CSV), or stdin (one report). `showIds` is true when the reports came from
 * files or a CSV, so that their ids are worth printing. `command` names the command in messages.
 */
export async function gatherReports(args: string[], o: InputOptions, command: string): Promise<{ reports: Reports; showIds: boolean }> {
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
  if (text.trim() === '') throw new DataError(`stdin is empty: pipe a report into bugcat ${command}, or pass it as an argument`);
  return { reports: { ids: ['stdin'], texts: [text] }, showIds: false };
}
