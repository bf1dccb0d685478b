/**
 * Every error code bugcat gives, declared once (as fastify declares its `FST_ERR_*`): the exit
 * code the command line ends with (2 a usage error, 1 a failure), the HTTP status the service
 * answers with, and what the code means. An error's `code` is typed as a key of this table, so a
 * code written anywhere else must be one of these; the README's list is checked against it
 * (test/codes.test.ts).
 *
 * Status 500 marks the service's own model failing while it answers: the service logs the error
 * and answers that it did, without its message. Errors that only the command line or the
 * service's start can meet (ADDRESS, MODEL_LOAD, ...) carry the status the service would answer.
 */
export interface ErrorCodeInfo {
  /** The command line's exit code: 2 for a usage error (a bad option, argument or hyperparameter), 1 for a failure. */
  readonly exit: 1 | 2;
  /** The service's HTTP status for a request that meets the error. */
  readonly status: 400 | 409 | 500;
  /** What went wrong, in one line. */
  readonly meaning: string;
}

export const ERROR_CODES = {
  // A call or a command line is wrong.
  USAGE: { exit: 2, status: 400, meaning: 'a call or command line is wrong: an unknown option, a missing or invalid argument' },
  UNKNOWN_OPTION: { exit: 2, status: 400, meaning: "a library function's options object holds a key the function does not take" },
  HYPERPARAMETER: { exit: 2, status: 400, meaning: 'a hyperparameter is unknown, of the wrong type or out of its range' },
  RUNTIME: { exit: 2, status: 400, meaning: 'the backend or kernels asked for is not one bugcat knows' },
  UNKNOWN_LABEL: { exit: 2, status: 400, meaning: "the label or versus label to explain is not one of the model's labels" },
  SAME_LABEL: { exit: 2, status: 400, meaning: 'the label and the versus label to explain are the same' },
  TOO_FEW_REPORTS: { exit: 2, status: 400, meaning: 'pretrain was given fewer than two reports to learn from' },
  VECTORS_DIMENSION: { exit: 2, status: 400, meaning: "the hidden layer's width asked for is not the pretrained vectors' dimension" },

  // Input reports cannot be used.
  DATA: { exit: 1, status: 400, meaning: 'the input reports cannot be used (no more specific code applies)' },
  NOT_FOUND: { exit: 1, status: 400, meaning: 'a file or folder of reports does not exist' },
  IS_FOLDER: { exit: 1, status: 400, meaning: 'a folder was given where a file was expected' },
  UNREADABLE: { exit: 1, status: 400, meaning: 'a file cannot be read (permission denied, or another error of the system)' },
  BINARY: { exit: 1, status: 400, meaning: 'a file looks like binary data, not text' },
  BAD_JSON: { exit: 1, status: 400, meaning: 'a JSON file of reports is not valid JSON' },
  BAD_TOML: { exit: 1, status: 400, meaning: 'a TOML issue file is not valid TOML' },
  NO_COLUMN: { exit: 1, status: 400, meaning: 'a CSV lacks a column that was asked for' },
  NOT_TEXT: { exit: 1, status: 400, meaning: "a report's text is not a string" },
  NO_LABELS: { exit: 1, status: 400, meaning: 'reports lack the labels (one per text) that training, scoring or an audit needs' },
  NO_USABLE_LABEL: { exit: 1, status: 400, meaning: 'no report has a usable label: every label is empty or excluded' },
  ONE_CATEGORY: { exit: 1, status: 400, meaning: 'the training data holds fewer than two categories' },
  NO_FOLD: { exit: 1, status: 400, meaning: 'some reports have no fold, where folds are given' },
  ONE_FOLD: { exit: 1, status: 400, meaning: 'the reports hold fewer than two folds: cross-validation needs two' },
  STUDY_EMPTY: { exit: 1, status: 400, meaning: 'a study folder holds no reports' },
  STUDY_TOO_LOW: { exit: 1, status: 400, meaning: "one category's folder was given in place of the study folder above it" },
  STUDY_TOO_HIGH: { exit: 1, status: 400, meaning: 'a folder of study runs was given in place of one run' },
  STUDY_REASONING: { exit: 1, status: 400, meaning: "a study run's reasoning traces were given in place of its reports" },
  STUDY_TO_FILE: { exit: 1, status: 400, meaning: 'a study was to be written to a file, not a folder' },
  STUDY_FOREIGN_FOLDER: { exit: 1, status: 400, meaning: 'a study was to be written into a folder of other files, without force' },
  STUDY_FOREIGN_FILES: { exit: 1, status: 400, meaning: 'writing a study would replace files bugcat did not write' },
  DUPLICATE_ID: { exit: 1, status: 400, meaning: 'two reports of one category have the same id, so they cannot be written as a study' },
  NOT_VECTORS: { exit: 1, status: 400, meaning: 'a file is not a bugcat vectors file' },
  VECTORS_VERSION: { exit: 1, status: 400, meaning: 'a vectors file has a version this bugcat does not read' },
  VECTORS_DAMAGED: { exit: 1, status: 400, meaning: 'a vectors file is truncated or altered' },
  VECTORS_NOT_FOUND: { exit: 1, status: 400, meaning: 'a vectors file does not exist or cannot be read' },
  NOT_A_LEDGER: {
    exit: 1,
    status: 400,
    meaning: "a file given as the bot's ledger is not one bugcat wrote, or of a version it does not read",
  },
  LEDGER_DAMAGED: { exit: 1, status: 400, meaning: "a line of the bot's ledger other than its last is not a whole JSON record" },
  VECTORS_TO_FOLDER: { exit: 1, status: 400, meaning: 'vectors were to be written to a folder, not a file' },

  // A model is missing, damaged or cannot be written where asked.
  MODEL: { exit: 1, status: 500, meaning: 'a model is missing, damaged or unusable (no more specific code applies)' },
  MODEL_NOT_FOUND: { exit: 1, status: 500, meaning: 'a model folder does not exist' },
  MODEL_IS_FILE: { exit: 1, status: 500, meaning: 'a file was given where a model folder was expected' },
  NOT_A_MODEL: { exit: 1, status: 400, meaning: 'a folder or set of files is not a bugcat model (no manifest, or not a bugcat manifest)' },
  MODEL_VERSION: { exit: 1, status: 500, meaning: 'a model has a format version this bugcat does not read' },
  MODEL_INCOMPLETE: { exit: 1, status: 500, meaning: "a file that a model's manifest lists is missing" },
  MODEL_DAMAGED: { exit: 1, status: 500, meaning: 'a model file fails its checksum or is not JSON, or its manifest names a path' },
  MODEL_INCONSISTENT: { exit: 1, status: 500, meaning: "a model's files do not fit together, or the model loads but does not predict" },
  MODEL_CHANGED: { exit: 1, status: 500, meaning: 'a model folder changed while it was being read' },
  MODEL_LOAD: { exit: 1, status: 500, meaning: 'the service cannot load its model' },
  NO_INDEX: {
    exit: 1,
    status: 409,
    meaning: 'the model keeps no index of its training reports, so it cannot find similar ones (train it with --keep-index)',
  },
  MODELS_DIR: {
    exit: 1,
    status: 400,
    meaning: 'a models folder (serve --models) does not exist, or holds a file where active or previous goes',
  },
  MODELS_LOCKED: { exit: 1, status: 400, meaning: 'another promote or rollback holds the models folder' },
  NO_PREVIOUS: { exit: 1, status: 400, meaning: 'a rollback was asked of a models folder that keeps no previous model' },
  PROMOTE_WORSE: {
    exit: 1,
    status: 400,
    meaning: 'the candidate model scores worse than the active one on the reports given, and was not promoted (--force promotes it)',
  },
  SAVE_TO_FILE: { exit: 1, status: 400, meaning: 'a model was to be saved to a file, not a folder' },
  SAVE_TO_FOREIGN_FOLDER: { exit: 1, status: 400, meaning: 'a model was to be saved into a folder of other files, without force' },

  // The machine or the run.
  CANCELLED: { exit: 1, status: 400, meaning: "the caller's AbortSignal stopped training or saving; nothing was written" },
  BACKEND: { exit: 1, status: 400, meaning: 'the tensorflow backend was asked for, but @tensorflow/tfjs-node is not installed' },
  ADDRESS_IN_USE: { exit: 1, status: 400, meaning: "the service's host and port are already in use" },
  ADDRESS: { exit: 1, status: 400, meaning: 'the service cannot listen on its host and port: no such address, or permission denied' },
  LLM_UNREACHABLE: {
    exit: 1,
    status: 400,
    meaning: "the LLM server the deferred reports go to cannot be reached, or does not speak Ollama's API",
  },
  LLM_MODEL: { exit: 1, status: 400, meaning: 'the LLM server does not have the model asked for' },
  BUGCAT_ERROR: { exit: 1, status: 400, meaning: 'a BugcatError made without a code' },
} as const satisfies Record<string, ErrorCodeInfo>;

/** An error code: a key of ERROR_CODES. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes of usage errors (exit code 2), which a UsageError carries. */
export type UsageCode = { [C in ErrorCode]: (typeof ERROR_CODES)[C]['exit'] extends 2 ? C : never }[ErrorCode];

/** The codes of failures (exit code 1), which a DataError or a ModelError carries. */
export type FailureCode = Exclude<ErrorCode, UsageCode>;
