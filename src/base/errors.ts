/**
 * Errors a caller can act on. Each names the problem and what to do about it, in terms of the
 * library's own objects (a file, a folder, a model, a hyperparameter), never of command-line
 * flags: `problem` is what went wrong, `advice` what to do, and `message` both. The command line
 * keeps the problem and, for some codes, gives its own advice in terms of its flags.
 *
 * Each also carries the exit code the command line uses: 2 for a usage error (a bad option or
 * hyperparameter), 1 for a data or model error. The command line prints the message alone,
 * never a stack trace.
 */
export interface ErrorDetails {
  /** A stable name for what went wrong (for example `MODEL_NOT_FOUND`), for callers that react to it. */
  code?: string;
  /** What to do about it, in the library's terms. */
  advice?: string;
  /** The file or folder concerned, if one is. */
  path?: string;
}

export class BugcatError extends Error {
  readonly code: string;
  readonly problem: string;
  readonly advice?: string;
  readonly path?: string;

  constructor(
    problem: string,
    details: ErrorDetails = {},
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(details.advice ? `${problem}; ${details.advice}` : problem);
    this.name = new.target.name;
    this.problem = problem;
    this.advice = details.advice;
    this.path = details.path;
    this.code = details.code ?? 'BUGCAT_ERROR';
  }
}

/** A call or command line is wrong (an unknown option, a missing argument): exit code 2. */
export class UsageError extends BugcatError {
  constructor(problem: string, details: ErrorDetails = {}) {
    super(problem, { code: 'USAGE', ...details }, 2);
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
  constructor(problem: string, details: ErrorDetails = {}) {
    super(problem, { code: 'DATA', ...details }, 1);
  }
}

/** A model (a folder or its artifacts) is missing, damaged or of an unknown version, or cannot be written where asked: exit code 1. */
export class ModelError extends BugcatError {
  constructor(problem: string, details: ErrorDetails = {}) {
    super(problem, { code: 'MODEL', ...details }, 1);
  }
}

/** The caller's AbortSignal stopped training or saving before it finished; nothing was written. */
export class CancelledError extends BugcatError {
  constructor(problem = 'cancelled before the end: nothing was written') {
    super(problem, { code: 'CANCELLED' }, 1);
  }
}
