/**
 * Errors a user can act on. Each carries the process exit code the CLI uses:
 * 2 for a usage error (bad option, missing argument), 1 for a data or model error.
 * The CLI prints `message` alone, never a stack trace.
 */
export class BugcatError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 = 1) {
    super(message);
    this.name = new.target.name;
  }
}

/** The command line itself is wrong: exit code 2. */
export class UsageError extends BugcatError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** An input file (CSV, folder, text) cannot be used: exit code 1. */
export class DataError extends BugcatError {}

/** A model directory is missing, damaged or of an unknown version: exit code 1. */
export class ModelError extends BugcatError {}
