import { BugcatError, ColumnError, type ErrorCode } from '../index.js';

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * The command line's own advice for some library errors, in terms of its flags: the library
 * says "save with force", the command line "add --force". Keyed by the error's code.
 */
const HINTS: Partial<Record<ErrorCode, (e: BugcatError) => string>> = {
  NO_COLUMN: (e) => `${e.problem}; name the right one with --${kebab((e as ColumnError).role)}-column`,
  NO_USABLE_LABEL: (e) => `${e.problem} (see --exclude-label)`,
  MODEL_NOT_FOUND: (e) => `${e.problem}: train one with "bugcat train --data FILE --out ${e.path}", or point --model at a model folder`,
  MODEL_IS_FILE: (e) => `${e.problem}: --model takes the folder that "bugcat train --out" wrote`,
  NOT_A_MODEL: (e) => `${e.problem}: point --model at a folder written by "bugcat train"`,
  SAVE_TO_FILE: (e) => `--out ${e.problem}: choose another path`,
  SAVE_TO_FOREIGN_FOLDER: (e) =>
    `--out ${e.problem}: choose another folder, or add --force to write the model files beside them (other files are left alone)`,
  NO_FOLD: (e) => `${e.problem.replace('have no fold', 'have an empty --fold-column')}`,
  ONE_FOLD: (e) => `${e.problem} (--fold-column)`,
  HYPERPARAMETER: (e) => e.message.replace(/^hyperparameter (\w+)/, (_, k: string) => `--${kebab(k)}`),
  STUDY_FOREIGN_FOLDER: (e) =>
    `--out-dir ${e.problem}: choose an empty or new folder, or add --force to write beside the files there (none of them is replaced or deleted)`,
  VECTORS_DIMENSION: (e) =>
    `${e.problem.replace('hidden is', '--hidden is')}; leave out --hidden (it then follows the vectors), or pretrain vectors of that width with "bugcat pretrain --hidden N"`,
  NOT_VECTORS: (e) => `--pretrained: ${e.problem}: give a file that "bugcat pretrain --out" wrote`,
  STUDY_FOREIGN_FILES: (e) =>
    `--out-dir ${e.problem}: choose another folder (bugcat never replaces files it did not write, even with --force)`,
};

/** What the command line prints for a library error: its own advice where it has some, the library's otherwise. */
export function messageOf(err: BugcatError): string {
  return HINTS[err.code]?.(err) ?? err.message;
}
