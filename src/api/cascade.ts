import { UsageError } from '../base/errors.js';
import { checkOptions, type OptionKeys } from '../base/options.js';
import { chatAll, checkChatServer, type ChatResult } from '../io/llm.js';

/**
 * The cascade: the model answers the reports it is sure of, and the least sure go to a large
 * language model (or to a person). `deferredOf` says which; `askLlm` asks an Ollama-compatible
 * server for their category with a prompt built as the bug study built its own, and reads the
 * category from the answer as the study did.
 */

/** Which reports to defer: the least sure `share` of them, or those below a confidence. */
export interface DeferOptions {
  /** Defer the least confident share (0 to 1) of the reports: ceil(share x n) of them, ties broken by input order. */
  share?: number;
  /** Defer the reports whose confidence is below this (0 to 1). */
  below?: number;
}

/** DeferOptions's keys (base/options.ts). */
export const DEFER_OPTIONS: OptionKeys<DeferOptions> = { share: true, below: true };

/**
 * For each confidence, whether its report is deferred (see DeferOptions; with both, a report
 * either picks is deferred). `undefined` confidences (reports that could not be read) are never
 * deferred, nor counted in the share.
 */
export function deferredOf(confidences: readonly (number | undefined)[], options: DeferOptions): boolean[] {
  checkOptions('deferredOf', options, DEFER_OPTIONS);
  const { share, below } = options;
  if (share !== undefined && !(share >= 0 && share <= 1)) throw new UsageError(`share is ${share}: expected a number from 0 to 1`);
  if (below !== undefined && !(below >= 0 && below <= 1)) throw new UsageError(`below is ${below}: expected a number from 0 to 1`);
  const out = confidences.map((c) => c !== undefined && below !== undefined && c < below);
  if (share !== undefined && share > 0) {
    const scored = confidences.flatMap((c, i) => (c === undefined ? [] : [i]));
    scored.sort((a, b) => confidences[a]! - confidences[b]! || a - b);
    for (const i of scored.slice(0, Math.ceil(share * scored.length))) out[i] = true;
  }
  return out;
}

/** How the LLM is asked. */
export interface LlmOptions {
  /** The server's base URL (an Ollama server: http://127.0.0.1:11434). */
  url: string;
  /** The model's name there (deepseek-r1:14b). */
  model: string;
  /** The categories it may answer (the bugcat model's labels). */
  labels: readonly string[];
  /**
   * What follows the report in the prompt (default: `llmPreamble(labels)`, as the study's
   * `preambel`); `{categories}` in it becomes the list of categories, one a line.
   */
  preamble?: string;
  /** A category's line of definition in the default preamble (`label: definition`), where there is one. */
  definitions?: Readonly<Record<string, string>>;
  /** The label of a report whose answer names no category, or whose call failed (default `manual-review`). */
  reviewLabel?: string;
  /** Calls in flight at once (default 2). */
  concurrency?: number;
  /** Milliseconds one call may take (default 300,000: a reasoning model on a CPU is slow). */
  timeoutMs?: number;
  /** Further attempts after a failed call (default 3), with back-off. */
  retries?: number;
  /** The first back-off in milliseconds, doubled each time (default 1,000). */
  backoffMs?: number;
  /** Check the server (and that it has the model) before the first report (default true). */
  check?: boolean;
  /** Hears each answer as it comes: how many are done of how many. */
  onProgress?: (done: number, total: number) => void;
  /** Stops the calls not yet made. */
  signal?: AbortSignal;
}

/** LlmOptions's keys (base/options.ts). */
export const LLM_OPTIONS: OptionKeys<LlmOptions> = {
  url: true,
  model: true,
  labels: true,
  preamble: true,
  definitions: true,
  reviewLabel: true,
  concurrency: true,
  timeoutMs: true,
  retries: true,
  backoffMs: true,
  check: true,
  onProgress: true,
  signal: true,
};

/** One report's answer from the LLM: the category read from it (or the review label), its raw text, or why there is none. */
export interface LlmAnswer {
  label: string;
  /** The LLM's whole answer, as it came (reasoning included); absent when the call failed. */
  answer?: string;
  /** Why the call failed after its retries; absent when it was answered. */
  error?: string;
  attempts: number;
}

/**
 * The study's prompt after the report (its `preambel`): the categories, one a line, with
 * `: definition` where there is one, then the one-word instruction.
 */
export function llmPreamble(labels: readonly string[], definitions: Readonly<Record<string, string>> = {}): string {
  return `\nClassify the given bug report.\n\nThese are the possible categories:\n\n{categories}\n\nRespond only with a single word, the name of the category. `.replace(
    '{categories}',
    labels.map((l) => (definitions[l] ? `${l}: ${definitions[l]}` : l)).join('\n'),
  );
}

/** The prompt of one report: its text, a newline, then the preamble (with `{categories}` filled in), as the study sent them. */
export function llmPrompt(
  text: string,
  labels: readonly string[],
  preamble?: string,
  definitions?: Readonly<Record<string, string>>,
): string {
  const p = preamble === undefined ? llmPreamble(labels, definitions) : preamble.replaceAll('{categories}', labels.join('\n'));
  return `${text}\n${p}`;
}

/**
 * The category an answer names, as the study read it: the reasoning (`<think>...</think>`) left
 * out, the answer's last word, letters only (and the hyphens and digits inside it), matched to
 * the labels whatever the case (the study lower-cased it: `kvm` is the label `KVM`);
 * `reviewLabel` when it names none.
 */
export function labelFromAnswer(answer: string, labels: readonly string[], reviewLabel = 'manual-review'): string {
  const said = answer.replace(/<think>[\s\S]*?(<\/think>|$)/gi, ' ');
  const words = said.match(/[\p{L}\p{N}][\p{L}\p{N}_-]*/gu);
  const last = words
    ?.at(-1)
    ?.replace(/[-_]+$/, '')
    .toLowerCase();
  if (last === undefined) return reviewLabel;
  return labels.find((l) => l.toLowerCase() === last) ?? reviewLabel;
}

/**
 * Checks that the LLM server answers and has the model (LLM_UNREACHABLE, LLM_MODEL), before a
 * long run: askLlm does it too unless told not to.
 */
export async function checkLlm(url: string, model: string, timeoutMs = 30_000): Promise<void> {
  await checkChatServer(url, model, timeoutMs);
}

/**
 * Asks the LLM for each text's category (see LlmOptions), at most `concurrency` at once, with
 * timeouts and retries; one answer per text, in order. A call that fails after its retries
 * gives the review label and its reason (`error`): no report is lost. The server is checked
 * first (LLM_UNREACHABLE, LLM_MODEL), so a wrong URL fails before any report is sent.
 */
export async function askLlm(texts: readonly string[], options: LlmOptions): Promise<LlmAnswer[]> {
  checkOptions('askLlm', options, LLM_OPTIONS);
  const {
    url,
    model,
    labels,
    reviewLabel = 'manual-review',
    concurrency = 2,
    timeoutMs = 300_000,
    retries = 3,
    backoffMs = 1000,
  } = options;
  if (typeof url !== 'string' || !/^https?:\/\//.test(url))
    throw new UsageError(`url is ${JSON.stringify(url)}: expected http://HOST:PORT`);
  if (typeof model !== 'string' || model === '') throw new UsageError('model is empty: name the LLM (deepseek-r1:14b)');
  if (!Array.isArray(labels) || labels.length < 2) throw new UsageError('labels must list the categories the LLM may answer (two or more)');
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new UsageError(`concurrency is ${concurrency}: expected an integer from 1 up`);
  if (!(timeoutMs > 0)) throw new UsageError(`timeoutMs is ${timeoutMs}: expected a positive number`);
  if (!Number.isInteger(retries) || retries < 0) throw new UsageError(`retries is ${retries}: expected an integer from 0 up`);
  if (texts.length === 0) return [];
  if (options.check !== false) await checkChatServer(url, model, 30_000);
  const prompts = texts.map((t) => llmPrompt(t, labels, options.preamble, options.definitions));
  let done = 0;
  const results = await chatAll(prompts, { url, model, concurrency, timeoutMs, retries, backoffMs, signal: options.signal }, () =>
    options.onProgress?.(++done, texts.length),
  );
  return results.map((r: ChatResult): LlmAnswer =>
    'answer' in r
      ? { label: labelFromAnswer(r.answer, labels, reviewLabel), answer: r.answer, attempts: r.attempts }
      : { label: reviewLabel, error: r.error, attempts: r.attempts },
  );
}

/** One point of the cascade's curve: the least sure `share` deferred, and the accuracy of the answers then. */
export interface DeferralPoint {
  share: number;
  /** Reports deferred. */
  deferred: number;
  /** Accuracy of all the answers: the model's on the kept reports, the deferred ones answered as `answers` says. */
  accuracy: number;
  /** The model's accuracy on the reports it keeps (NaN when it keeps none). */
  keptAccuracy: number;
  /** The lowest confidence kept: `--defer-below` just above the next one defers the same reports (undefined when none is kept). */
  lowestKept?: number;
}

/** The shares the curve is drawn at by default: 0 to 50 % in steps of 5. */
export const DEFERRAL_SHARES: readonly number[] = Array.from({ length: 11 }, (_, k) => k / 20);

/**
 * The cascade's curve on labelled reports: for each share (DEFERRAL_SHARES by default), the least
 * sure reports deferred (as deferredOf defers them) and answered by `answers` (another
 * annotator's labels, an LLM's stored answers; default: the right labels, so that the curve is
 * the agreement with the run the labels come from), the others by the model; case aside.
 */
export function deferralCurve(
  labels: readonly string[],
  predictions: readonly { label: string; confidence: number }[],
  answers: readonly string[] = labels,
  shares: readonly number[] = DEFERRAL_SHARES,
): DeferralPoint[] {
  if (labels.length !== predictions.length || answers.length !== labels.length)
    throw new UsageError(
      `${labels.length} labels, ${predictions.length} predictions and ${answers.length} answers: expected one of each per report`,
    );
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const confidences = predictions.map((p) => p.confidence);
  return shares.map((share) => {
    const deferred = deferredOf(confidences, { share });
    let right = 0;
    let kept = 0;
    let keptRight = 0;
    let lowestKept: number | undefined;
    labels.forEach((label, i) => {
      if (deferred[i]) {
        if (same(answers[i], label)) right++;
        return;
      }
      kept++;
      lowestKept = Math.min(lowestKept ?? Infinity, confidences[i]);
      if (same(predictions[i].label, label)) {
        right++;
        keptRight++;
      }
    });
    return {
      share,
      deferred: labels.length - kept,
      accuracy: labels.length ? right / labels.length : 0,
      keptAccuracy: kept ? keptRight / kept : NaN,
      ...(lowestKept !== undefined ? { lowestKept } : {}),
    };
  });
}
