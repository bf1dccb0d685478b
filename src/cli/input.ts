import { existsSync, statSync } from 'node:fs';
import {
  DataError,
  decodeReport,
  streamReportBytes,
  streamReports,
  textReports,
  UsageError,
  type IdFrom,
  type InputFormat,
  type ReportRecord,
  type ReportStream,
  type Reports,
  type StreamProgress,
} from '../index.js';
import { stderrLog, type ColumnOptions } from './options.js';

/** Where a command that reads reports to label (predict, explain) may take them from. */
export interface InputOptions extends ColumnOptions {
  file?: string[];
  data?: string;
  inputFormat?: InputFormat;
  idFrom?: IdFrom;
}

/** An argument that names a path rather than being a report: a slash or a file extension, and no white space. */
export const looksLikePath = (arg: string): boolean => !/\s/.test(arg) && (arg.includes('/') || /\.[A-Za-z0-9]{1,6}$/.test(arg));

/**
 * The reports to label, as a stream of records in input order, from exactly one source:
 * arguments (report texts, or paths of files and folders), --file (paths), --data (a CSV, JSON
 * or JSON Lines file or folder, or `-` for a stream on stdin), or stdin (one report). An argument
 * that looks like a path but names nothing is an error, not a report. `showIds` is true when the
 * reports came from paths, so that their ids are worth printing. `command` names the command in
 * messages; `progress`, if given, follows the bytes read.
 */
export async function reportRecords(
  args: string[],
  o: InputOptions,
  command: string,
  progress?: StreamProgress,
): Promise<{ records: AsyncIterable<ReportRecord> & Partial<Pick<ReportStream, 'batches'>>; showIds: boolean }> {
  const sources = [args.length > 0, (o.file?.length ?? 0) > 0, o.data !== undefined].filter(Boolean).length;
  if (sources > 1) throw new UsageError('give reports one way only: as arguments, with --file, or with --data');
  const read = { textColumn: o.textColumn, idColumn: o.idColumn, format: o.inputFormat, idFrom: o.idFrom, onWarning: stderrLog };
  if (o.data === '-') return { records: streamReportBytes(process.stdin, 'stdin', read), showIds: true };
  if (o.data !== undefined) return { records: streamReports([o.data], { ...read, progress }), showIds: true };
  if (o.file?.length) return { records: streamReports(o.file, { ...read, progress }), showIds: true };
  if (args.length) {
    // Arguments are texts or paths, in order; a path-like argument that names nothing is an error.
    const kinds = args.map((arg) => {
      if (existsSync(arg)) return 'path';
      if (looksLikePath(arg)) throw new DataError(`${arg}: no such file or folder; check the path`, { code: 'NOT_FOUND', path: arg });
      return 'text';
    });
    // Paths only: read as one list, so that ids several files would share are made distinct before any is read.
    if (!kinds.includes('text')) return { records: streamReports(args, { ...read, progress }), showIds: true };
    const texts = (from: number, to: number) =>
      textReports(
        args.slice(from, to).map((text, i) => ({ id: String(from + i + 1), text })),
        { onWarning: stderrLog },
      );
    // Texts only: one warning naming every text that held control characters, as a file's reader gives.
    if (!kinds.includes('path')) return { records: texts(0, args.length), showIds: false };
    const records = async function* () {
      for (const [i, arg] of args.entries()) {
        if (kinds[i] === 'text') yield* texts(i, i + 1);
        else yield* streamReports([arg], { ...read, progress });
      }
    };
    return { records: records(), showIds: kinds.includes('path') };
  }
  if (process.stdin.isTTY)
    throw new UsageError('no report given: pass report text as an argument, use --file or --data, or pipe a report on stdin');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = decodeReport(Buffer.concat(chunks), 'stdin');
  if (text.trim() === '') throw new DataError(`stdin is empty: pipe a report into bugcat ${command}, or pass it as an argument`);
  return { records: textReports([{ id: 'stdin', text }], { onWarning: stderrLog }), showIds: false };
}

/**
 * The bytes of the files reportRecords would read (--data, --file, path arguments; a folder or
 * stdin counts 0): what tells a command, before it loads its model, that its input is large.
 */
export function inputBytes(args: string[], o: InputOptions): number {
  const paths = o.data !== undefined ? [o.data] : o.file?.length ? o.file : args;
  let total = 0;
  for (const path of paths) {
    try {
      const s = statSync(path);
      if (s.isFile()) total += s.size;
    } catch {
      // not a file (a report given as text, stdin's '-'): reportRecords says what is wrong with it
    }
  }
  return total;
}

/** The same reports (see reportRecords), gathered whole, for commands that take them at once. */
export async function gatherReports(args: string[], o: InputOptions, command: string): Promise<{ reports: Reports; showIds: boolean }> {
  const { records, showIds } = await reportRecords(args, o, command);
  const reports: Required<Pick<Reports, 'ids' | 'texts' | 'errors'>> = { ids: [], texts: [], errors: [] };
  for await (const r of records) {
    reports.ids.push(r.id);
    reports.texts.push(r.text);
    reports.errors.push(r.error);
  }
  const failed = reports.errors.some((e) => e !== undefined);
  return { reports: failed ? reports : { ids: reports.ids, texts: reports.texts }, showIds };
}
