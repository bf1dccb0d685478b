/**
 * bugcat as a library: train a model on labelled bug reports, save and load it, predict,
 * evaluate and cross-validate. TensorFlow.js, the WebAssembly kernels and the worker threads
 * are loaded inside; a caller never sees them.
 *
 * ```ts
 * import { train, load, readReports } from 'bugcat';
 * const model = await train(readReports('reports.csv', { labelColumn: 'label' }));
 * await model.save('models/mine');
 * const [p] = (await load('models/mine')).predict(['QEMU hangs at boot with -kernel']);
 * console.log(p.label, p.confidence);
 * ```
 *
 * This file is the public API: the command line (src/cli/), the scripts and any service
 * import it, never the layers beneath.
 */

/** The model: train one, load one, or make one from its artifacts in memory. */
export { Model, train, load, fromArtifacts } from './api/model.js';
export type {
  LabelledReport,
  TrainingData,
  TrainOptions,
  SelfTrainOptions,
  PredictOptions,
  SaveOptions,
  ModelSummary,
  Prediction,
  LabelSetPrediction,
  AnyPrediction,
  LabelPoint,
  MultiLabelRecord,
  TargetsSummary,
  SimilarOptions,
  SimilarReport,
} from './api/model.js';
/** How many terms of each training report a model's similarity index keeps by default (train's keepIndex). */
export { INDEX_TERMS } from './model/similar.js';
/** Multi-label models: telling their answers apart, and the default of minLabelCount. */
export { isLabelSet } from './model/prediction.js';
export { MIN_LABEL_COUNT, SELF_TRAIN_SHARE, SELF_TRAIN_ROUNDS } from './api/model.js';
export type { SelfTrainingRecord } from './model/record.js';
export { scopeOf, SWEEP_THRESHOLDS } from './model/multilabel.js';
export type { SweepPoint } from './model/multilabel.js';
/** Explaining a label: each term's exact share of the logit difference between two labels (Model.explain). */
export type { ExplainOptions, Explanation, TermContribution } from './api/model.js';
export type { TermField } from './model/explanation.js';
/** The logit margin under which explain calls two labels a tie (Explanation.tie). */
export { TIE_LOGIT } from './model/explanation.js';

/** Scoring: a model on labelled reports, and k-fold cross-validation of training options. */
export { evaluate, checkEvaluation, crossValidate } from './api/evaluate.js';
export type { CrossValidateOptions, CrossValidationResult, ModelEvaluation, EvaluationChecks } from './api/evaluate.js';
/** Warnings that go with a result (unseen labels, labels differing only in case, training overlap), in every output. */
export type { ResultWarning, WarningKind } from './eval/warnings.js';
export type { CrossValidation, FoldResult, GroupCount } from './eval/crossvalidate.js';
export type { Evaluation, ClassScores, CoveragePoint } from './eval/metrics.js';

/** Scoring multi-label models: on a later export, and fold by fold (in time order with the reports' times). */
export { evaluateLabelSets, crossValidateLabelSets, LABEL_SET_KEYS } from './api/labelsets.js';
export type {
  LabelSetModelEvaluation,
  LabelSetFold,
  LabelSetCrossValidation,
  LabelSetCrossValidateOptions,
  LabelSetKey,
} from './api/labelsets.js';
export type { LabelSetEvaluation, LabelScores } from './eval/multilabel.js';

/** Auditing labels: cross-fitted out-of-fold probabilities and confident learning find the labels most likely wrong. */
export { audit } from './api/audit.js';
export type { Audit, AuditEntry, AuditOptions, CategoryAudit } from './api/audit.js';
export { RANKINGS } from './eval/confident.js';
export type { Ranking } from './eval/confident.js';
export type { OutOfFoldPrediction, RankedLabel } from './eval/crossvalidate.js';
/** Scoring predictions already made (predict once, score and draw them): the figures, the reliability diagram, accuracy against coverage. */
export { scorePredictions, reliability, confidenceThresholds } from './api/evaluate.js';
export type { ScoredPrediction } from './api/evaluate.js';
export type { ReliabilityBin, ThresholdPoint } from './eval/metrics.js';

/** Active learning: the reports to label next, ranked by the model's doubt weighed against redundancy (or a diverse seed set without a model). */
export { selectForLabelling, doubtOf, UNCERTAINTIES } from './api/select.js';
export type { SelectOptions, Selection, LabellingSuggestion, Uncertainty, Pool } from './api/select.js';

/** The cascade: the least sure reports deferred, and sent to an Ollama-compatible LLM with the study's prompt. */
export { deferredOf, deferralCurve, DEFERRAL_SHARES, askLlm, checkLlm, llmPrompt, llmPreamble, labelFromAnswer } from './api/cascade.js';
export type { DeferOptions, DeferralPoint, LlmOptions, LlmAnswer } from './api/cascade.js';

/** Reading reports: CSV files and study folders, single files and bytes. */
export { readReports, readAllReports, parseReports, readReportFile, decodeReport } from './api/reports.js';
export { NON_ANSWERS, isIssuesExport as isIssuesExportPath } from './io/reports.js';
export { INPUT_FORMATS } from './io/sniff.js';
export type { InputFormat } from './io/sniff.js';
export { ID_FROM } from './io/ids.js';
export type { IdFrom } from './io/ids.js';
export type { ReadOptions } from './api/reports.js';
export type { Reports } from './io/reports.js';
export type { ColumnRole } from './io/columns.js';
export type { Annotator } from './model/targets.js';
export type { Annotation } from './api/reports.js';
/** Writing reports in the study's folder layout (`<dir>/<category>/<id>` with ranked `label: score` lines, and categories.csv). */
export { writeStudyLayout, checkStudyDir, STUDY_MARKER, STUDY_LAYOUTS } from './io/study-writer.js';
export type { StudyEntry, StudyWrite, StudyWriteOptions, StudyLayout } from './io/study-writer.js';

/** Defaults that follow the data: the rules on the number of reports and categories, and the hyperparameters they resolve to. */
export { RULES, RULED, REFERENCE, ruleValues, resolveHyperparameters } from './base/rules.js';
export type { DataShape, Rule, Resolved } from './base/rules.js';
/** Autotune: hyperparameters chosen by inner cross-validation within a budget; its search space and trace. */
export { SEARCH_SPACE, AUTOTUNE_BUDGET } from './base/search.js';
export type { AutotuneOptions, Space } from './base/search.js';
export type { AutotuneTrace, AutotuneTrial } from './model/record.js';
export type { TrainingRecord } from './model/record.js';
/** Learning from unlabelled reports: term vectors pretrained on any tracker's reports, saved to and read from one file. */
export { pretrain, saveVectors, loadVectors } from './api/pretrain.js';
export type { PretrainOptions } from './api/pretrain.js';
export type { TermVectors } from './text/vectors.js';

/** The hyperparameters: their type, defaults, allowed ranges, descriptions and validation. */
export { DEFAULTS, RANGES, HELP as DESCRIPTIONS, validateHyperparameters, describeRange } from './base/hyperparameters.js';
export type { Hyperparameters, Range } from './base/hyperparameters.js';

/** Run-time choices (backend, kernels), which change speed, never answers. */
export { BACKENDS, KERNEL_CHOICES } from './nn/choices.js';
export type { Backend, KernelChoice, RuntimeOptions } from './nn/choices.js';

/** Promoting a retrained model into a models folder (serve --models) after comparing it with the active one, and rolling back. */
export { promote, rollback, modelsFolder, PROMOTE_METRICS, PROMOTE_RECENT } from './api/promote.js';
export type { PromoteOptions, PromoteResult, PromoteComparison, PromoteScores, PromoteMetric, ModelsState } from './api/promote.js';

/** Model artifacts and folders. */
export type { ModelArtifacts } from './io/format.js';
export { FORMAT_VERSION, READABLE_VERSIONS } from './io/format.js';
export { checkModelDir } from './io/store.js';

/** Errors: every error bugcat throws on purpose is a BugcatError, with a `code` and the exit code the command line uses. */
export { BugcatError, UsageError, HyperparameterError, DataError, ModelError, CancelledError } from './base/errors.js';
export { ColumnError } from './io/columns.js';
/** Every error code with its exit code, HTTP status and meaning. */
export { ERROR_CODES } from './base/codes.js';
export type { ErrorCode, ErrorCodeInfo } from './base/codes.js';

/** This bugcat's version, and the folder of the QEMU model shipped with it. */
export { VERSION, SHIPPED_MODEL } from './base/version.js';

/** Streaming: reports of any size read one at a time, and predicted in bounded batches on every core. */
export { streamReports, streamReportBytes, textReports, predictStream, prestartStream } from './api/stream.js';
/** How many control characters (NUL bytes, escape codes) bugcat removes from a text before reading it (what the readers warn of). */
export { controlCharacters } from './text/normalize.js';
export type {
  RecordPrediction,
  RecordLabelSet,
  AnyRecordPrediction,
  StreamOptions,
  ReportRecord,
  ReportStream,
  StreamProgress,
} from './api/stream.js';
/** Predicting in worker threads that share a model's weights: what predictStream and a service (bugcat serve) predict with. */
export { PredictionPool, ThreadLostError } from './api/pool.js';
export type { PoolOptions } from './api/pool.js';
export type { ModelInfo, MarkedPrediction } from './api/models.js';
/** The bot's ledger (serve --ledger): an append-only file of deliveries, suggestions, what was applied and what people changed, and each issue's history from it. */
export { Ledger, readLedger, parseLedger, issueKey, LEDGER_HEADER } from './io/ledger.js';
export type {
  LedgerRecord,
  LedgerContents,
  DeliveryRecord,
  AppliedRecord,
  RefusedRecord,
  PersonRecord,
  IssueRef,
  Suggestion,
  Tracker,
} from './io/ledger.js';
export { IssueHistories, confirmedLabels, confirmedIssues } from './io/issue-history.js';
/** Label patterns (globs, picomatch with bash's rules): --exclude-label's, and the bot's names (case ignored, brackets literal). */
export { labelMatcher, splitPatterns } from './base/globs.js';
export type { GlobOptions } from './base/globs.js';
export type { IssueHistory, ConfirmedIssue } from './io/issue-history.js';
/** How often people keep the bot's labels, per label and over time (bugcat feedback). */
export { feedbackOf, periodOf } from './eval/feedback.js';
export type { Feedback, LabelFeedback, PeriodFeedback } from './eval/feedback.js';
