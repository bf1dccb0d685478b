import { extname } from 'node:path';

/** The formats an input can be read as: detected by file name or by a stream's first character, or given. */
export type InputFormat = 'text' | 'csv' | 'json' | 'jsonl' | 'toml';
/** The input formats a caller may ask for. */
export const INPUT_FORMATS: readonly InputFormat[] = ['text', 'csv', 'json', 'jsonl', 'toml'];

/** The format a file name says: .csv, .json, .jsonl / .ndjson, .toml (one issue, as the study's issues_toml scrape), or text. */
export function formatOf(path: string): InputFormat {
  const ext = extname(path).toLowerCase();
  return ext === '.csv'
    ? 'csv'
    : ext === '.json'
      ? 'json'
      : ext === '.jsonl' || ext === '.ndjson'
        ? 'jsonl'
        : ext === '.toml'
          ? 'toml'
          : 'text';
}

/** The format of a stream (stdin, say) from its start: `format` if given, else JSON Lines if it starts with `{`, JSON with `[`, CSV otherwise. */
export function sniffFormat(head: string, format?: InputFormat): InputFormat {
  const start = head.trimStart()[0];
  return format ?? (start === '{' ? 'jsonl' : start === '[' ? 'json' : 'csv');
}
