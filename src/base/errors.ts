import { ERROR_CODES, type ErrorCode, type FailureCode, type UsageCode } from './codes.js';

/**
 * Errors a caller can act on. Each names the problem and what to do about it, in terms of the
 * library's own objects (a file, a folder, a model, a hyperparameter), never of command-line
 * flags: `problem` is what went wrong, `advice` what to do, and `message` both. The command line
 * keeps the problem and, for some codes, gives its own advice in terms of its flags.
 *
 * Each carries a stable `code`, one of ERROR_CODES (codes.ts), and the exit code the command
 * line uses, which that table gives: 2 for a usage error (a bad option or hyperparameter), 1 for
 * a data or model error. A UsageError takes only the codes of usage errors, a DataError or a
 * ModelError only the others. The command line prints the message alone, never a stack trace.
 */
export interface ErrorDetails<C extends ErrorCode = ErrorCode> {
  /** A stable name for what went wrong (for example `MODEL_NOT_FOUND`), for callers that react to it. */
  code?: C;
  /** What to do about it, in the library's terms. */
  advice?: string;
  /** The file or folder concerned, if one is. */
  path?: string;
}

export class BugcatError extends Error {
  readonly code: ErrorCode;
  /** The command line's exit code, as ERROR_CODES gives it for the code. */
  readonly exitCode: 1 | 2;
  readonly problem: string;
  readonly advice?: string;
  readonly path?: string;

  constructor(problem: string, details: ErrorDetails = {}) {
    super(details.advice ? `${problem}; ${details.advice}` : problem);
    this.name = new.target.name;
    this.problem = problem;
    this.advice = details.advice;
    this.path = details.path;
    this.code = details.code ?? 'BUGCAT_ERROR';
    // A code from untyped JavaScript that the table lacks is a failure.
    this.exitCode = ERROR_CODES[this.code]?.exit ?? 1;
  }
}

/** A call or command line is wrong (an unknown option, a missing argument): exit code 2. */
export class UsageError extends BugcatError {
  constructor(problem: string, details: ErrorDetails<UsageCode> = {}) {
    super(problem, { code: 'USAGE', ...details });
  }
}

/** A hyperparameter is unknown, of the wrong type or out of its range: exit code 2. `field` names it. */
export class HyperparameterError extends UsageError {
  constructor(
    problem: string,
    readonly field: string,
  ) {
    super(problem, { code: 'HYPERPARAMETER' });
  }
}

/** Input reports (a CSV, a folder, a text) cannot be used: exit code 1. */
export class DataError extends BugcatError {
  constructor(problem: string, details: ErrorDetails<FailureCode> = {}) {
    super(problem, { code: 'DATA', ...details });
  }
}

/** A model (a folder or its artifacts) is missing, damaged or of an unknown version, or cannot be written where asked: exit code 1. */
export class ModelError extends BugcatError {
  constructor(problem: string, details: ErrorDetails<FailureCode> = {}) {
    super(problem, { code: 'MODEL', ...details });
  }
}

/** The caller's AbortSignal stopped training or saving before it finished; nothing was written. */
export class CancelledError extends BugcatError {
  constructor(problem = 'cancelled before the end: nothing was written') {
    super(problem, { code: 'CANCELLED' });
  }
}
