import { existsSync } from 'node:fs';
import { DataError, decodeReport, parseReports, readAllReports, UsageError, type InputFormat, type Reports } from '../index.js';
import { readOptionsOf, stderrLog, type ColumnOptions } from './options.js';

/** Where a command that reads reports to label (predict, explain) may take them from. */
export interface InputOptions extends ColumnOptions {
  file?: string[];
  data?: string;
  inputFormat?: InputFormat;
}

/** An argument that names a path rather than being a report: a slash or a file extension, and no white space. */
export const looksLikePath = (arg: string): boolean => !/\s/.test(arg) && (arg.includes('/') || /\.[A-Za-z0-9]{1,6}$/.test(arg));

/**
 * Reports from exactly one source: arguments (report texts, or paths of files and folders),
 * --file (paths), --data (a CSV, JSON or JSON Lines file or folder, or `-` for a stream on
 * stdin), or stdin (one report). An argument that looks like a path but names nothing is an
 * error, not a report. `showIds` is true when the reports came from files or a data file, so
 * that their ids are worth printing. `command` names the command in messages.
 */
export async function gatherReports(args: string[], o: InputOptions, command: string): Promise<{ reports: Reports; showIds: boolean }> {
  const sources = [args.length > 0, (o.file?.length ?? 0) > 0, o.data !== undefined].filter(Boolean).length;
  if (sources > 1) throw new UsageError('give reports one way only: as arguments, with --file, or with --data');
  const read = { ...readOptionsOf(o), format: o.inputFormat };
  if (o.data === '-') return { reports: parseReports(await stdin(), 'stdin', read), showIds: true };
  if (o.data !== undefined) return { reports: readAllReports([o.data], read), showIds: true };
  if (o.file?.length) return { reports: readAllReports(o.file, read), showIds: true };
  if (args.length) {
    const parts: Reports[] = [];
    let paths = 0;
    args.forEach((arg, i) => {
      if (existsSync(arg)) {
        paths++;
        parts.push(readAllReports([arg], read));
      } else if (looksLikePath(arg)) {
        throw new DataError(`${arg}: no such file or folder; check the path`, { code: 'NOT_FOUND', path: arg });
      } else parts.push({ ids: [String(i + 1)], texts: [arg] });
    });
    const failed = parts.some((p) => p.errors);
    return {
      reports: {
        ids: parts.flatMap((p) => p.ids),
        texts: parts.flatMap((p) => p.texts),
        errors: failed ? parts.flatMap((p) => p.errors ?? p.ids.map(() => undefined)) : undefined,
      },
      showIds: paths > 0,
    };
  }
  if (process.stdin.isTTY) {
    throw new UsageError('no report given: pass report text as an argument, use --file or --data, or pipe a report on stdin');
  }
  const text = decodeReport(await stdin(), 'stdin');
  if (text.trim() === '') throw new DataError(`stdin is empty: pipe a report into bugcat ${command}, or pass it as an argument`);
  return { reports: { ids: ['stdin'], texts: [text] }, showIds: false };
}

async function stdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Says on stderr which reports could not be read (each was already named as it failed) and returns how many. */
export function countFailed(reports: Reports): number {
  const failed = reports.errors?.filter((e) => e !== undefined).length ?? 0;
  if (failed) stderrLog(`warning: ${failed} of ${reports.ids.length} reports could not be read; the others were predicted (exit code 3)`);
  return failed;
}
