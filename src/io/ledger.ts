/**
 * The bot's ledger: one file of JSON lines, each a record of what the bot did or saw (a delivery
 * and its suggestions, what it applied, what a person changed), only ever appended. Each append
 * is written whole and flushed to the disk (fdatasync) before the caller goes on, so a record the
 * bot acted on survives `kill -9` and a power cut; a line cut short by a crash mid-write is the
 * file's last, and is skipped (and ended) when the ledger is opened again.
 *
 * Why not SQLite: better-sqlite3 needs a native build or a prebuilt binary from GitHub, which a
 * clean `npm ci` without internet cannot fetch; a WASM SQLite (node-sqlite3-wasm) persists
 * through its own file layer with no fsync guarantee we could check. An append-only log holds
 * everything the bot needs (it replays the whole file at start, a few MB for years of issues).
 */
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeSync,
} from 'node:fs';
import { DataError } from '../base/errors.js';

/** The ledger's first line: what the file is. */
export const LEDGER_HEADER = { ledger: 'bugcat', version: 1 } as const;

/** A tracker bugcat labels through. */
export type Tracker = 'gitlab' | 'github';

/** Which issue: its tracker, its project (GitLab's numeric id or path, GitHub's owner/repo) and its number. */
export interface IssueRef {
  tracker: Tracker;
  project: string;
  issue: number;
}

/** One label bugcat suggested, with its probability. */
export interface Suggestion {
  label: string;
  probability: number;
}

/** A delivery that was classified: what was suggested, what the bot means to add (or would add, dry), and why the rest was not. */
export interface DeliveryRecord extends IssueRef {
  type: 'delivery';
  /** The delivery's id (GitHub's X-GitHub-Delivery, GitLab's Idempotency-Key or X-Gitlab-Event-UUID, else made up). */
  id: string;
  /** When bugcat recorded it. */
  at: string;
  /** When it happened on the tracker, where the delivery says (the issue's updated_at). */
  happened?: string;
  action: string;
  /** The issue's text as classified (title line, then the body): what a later training reads. */
  text: string;
  /** The issue's labels as the delivery showed them. */
  labels: string[];
  author?: string;
  model: string;
  suggestions: Suggestion[];
  /** The labels to add: written to the tracker when `dry` is false, else only recorded ("would apply"). */
  apply: string[];
  /** Suggested labels not applied, and why. */
  held: { label: string; why: string }[];
  /** The comment to post (once per issue), if asked for. */
  comment?: string;
  dry: boolean;
}

/** The tracker took a delivery's labels (and comment). */
export interface AppliedRecord extends IssueRef {
  type: 'applied';
  delivery: string;
  at: string;
  labels: string[];
  commented: boolean;
  /** The comment was on the issue already (posted before a crash kept this record from the ledger), so it was not posted again. */
  commentFound?: true;
}

/** The tracker refused a delivery for good (a 4xx that no retry changes): nothing applied. */
export interface RefusedRecord extends IssueRef {
  type: 'refused';
  delivery: string;
  at: string;
  status: number;
  reason: string;
}

/** A person changed an issue's labels (a GitLab label change, a GitHub labeled/unlabeled delivery). */
export interface PersonRecord extends IssueRef {
  type: 'person';
  at: string;
  /** When it happened on the tracker, where the delivery says. */
  happened?: string;
  by?: string;
  added: string[];
  removed: string[];
  /** The issue's labels after the change, when the delivery showed them. */
  labels?: string[];
}

export type LedgerRecord = DeliveryRecord | AppliedRecord | RefusedRecord | PersonRecord;

const TORN_HEADER = "the ledger's header was cut short, by a crash while it was written: it is written again";

/** What reading a ledger gave: its records in order, and a note if its last line was cut short by a crash. */
export interface LedgerContents {
  records: LedgerRecord[];
  torn?: string;
}

/**
 * Reads a ledger file whole. A missing file is an empty ledger (the bot starts one), unless
 * `mustExist` (a command that reads what the bot wrote: feedback, train, promote), where it is a
 * NOT_FOUND error.
 */
export function readLedger(path: string, { mustExist = false }: { mustExist?: boolean } = {}): LedgerContents {
  if (!existsSync(path)) {
    if (!mustExist) return { records: [] };
    throw new DataError(`the ledger ${path} does not exist`, {
      code: 'NOT_FOUND',
      advice: 'give the file serve wrote with --ledger',
      path,
    });
  }
  if (statSync(path).isDirectory())
    throw new DataError(`the ledger ${path} is a folder`, { code: 'IS_FOLDER', advice: 'give a file path to --ledger', path });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DataError(`cannot read the ledger ${path}: ${(err as Error).message}`, { code: 'UNREADABLE', path });
  }
  return parseLedger(text, path);
}

/** The records of a ledger's text; the last line may be cut short (a crash mid-write), any other must be whole. */
export function parseLedger(text: string, path = 'the ledger'): LedgerContents {
  if (text === '') return { records: [] };
  const lines = text.split('\n');
  const endsWhole = lines[lines.length - 1] === '';
  if (endsWhole) lines.pop();
  // A header cut short by a crash at the ledger's first write: an empty ledger.
  if (lines.length === 1 && !endsWhole && JSON.stringify(LEDGER_HEADER).startsWith(lines[0])) return { records: [], torn: TORN_HEADER };
  const records: LedgerRecord[] = [];
  let torn: string | undefined;
  lines.forEach((line, i) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (i === 0) value = undefined;
      else if (i === lines.length - 1 && !endsWhole) {
        torn = `the ledger's last line (${i + 1}) was cut short, by a crash while it was written: it is skipped`;
        return;
      } else
        throw new DataError(`${path} line ${i + 1} is not a JSON record`, {
          code: 'LEDGER_DAMAGED',
          advice: 'the ledger is only ever appended to: restore it from a backup, or give another --ledger',
          path,
        });
    }
    if (i === 0) {
      const h = value as Record<string, unknown>;
      if (h?.ledger !== LEDGER_HEADER.ledger)
        throw new DataError(`${path} is not a bugcat ledger (its first line is not a ledger header)`, {
          code: 'NOT_A_LEDGER',
          advice: 'give --ledger a new file, or one bugcat wrote',
          path,
        });
      if (h.version !== LEDGER_HEADER.version)
        throw new DataError(`${path} is a ledger of version ${String(h.version)}: this bugcat reads version ${LEDGER_HEADER.version}`, {
          code: 'NOT_A_LEDGER',
          path,
        });
      return;
    }
    records.push(value as LedgerRecord);
  });
  return { records, torn };
}

/** A ledger open for appending: every append is on the disk when it returns. */
export class Ledger {
  readonly #fd: number;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.#fd = fd;
  }

  /**
   * Opens (or creates) the ledger at `path` and gives its records so far. A line cut short by a
   * crash is ended with a newline, so that the next record starts on a line of its own.
   */
  static open(path: string): { ledger: Ledger; contents: LedgerContents } {
    const contents = readLedger(path);
    let fd: number;
    try {
      fd = openSync(path, 'a');
    } catch (err) {
      throw new DataError(`cannot open the ledger ${path}: ${(err as Error).message}`, { code: 'UNREADABLE', path });
    }
    const ledger = new Ledger(path, fd);
    // Only bugcat's own header, cut short, is ever cut from a ledger.
    if (contents.torn === TORN_HEADER) ftruncateSync(fd, 0);
    const size = fstatSync(fd).size;
    if (size === 0) ledger.#write(`${JSON.stringify(LEDGER_HEADER)}\n`);
    else if (!endsWithNewline(path, size)) ledger.#write('\n');
    return { ledger, contents };
  }

  /** Appends records, each one whole line, flushed to the disk before returning. */
  append(...records: LedgerRecord[]): void {
    if (records.length === 0) return;
    this.#write(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  #write(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    let done = 0;
    while (done < bytes.length) done += writeSync(this.#fd, bytes, done, bytes.length - done);
    fdatasyncSync(this.#fd);
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/** True if the file's last byte is a newline. */
function endsWithNewline(path: string, size: number): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, size - 1);
    return b[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}

/** An issue's key in maps: `gitlab:12345#7`. */
export const issueKey = (r: IssueRef): string => `${r.tracker}:${r.project}#${r.issue}`;
