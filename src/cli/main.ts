#!/usr/bin/env node
/**
 * bugcat's command line: one function per subcommand (src/commands/), each loaded only when
 * its command runs, so that `--help` and one-report predictions start fast.
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  BugcatError,
  DEFAULTS,
  DESCRIPTIONS,
  describeRange,
  INPUT_FORMATS,
  NON_ANSWERS,
  RANGES,
  SHIPPED_MODEL,
  VERSION,
  type Hyperparameters,
  type Range,
} from '../index.js';
import { RANKINGS } from '../index.js';
import { AUTOTUNE_BUDGET, REFERENCE, RULES } from '../index.js';
import { FORMATS } from './format.js';
import { messageOf } from './hints.js';

// After each full collection V8 lets the heap grow to up to 4 times its live data (on a machine
// with memory to spare): a streaming predict, whose live data is the model and a few batches,
// then held 2 to 3 times what it used. 1.5 times bounds the heap near the live data, at a few
// per cent more collection time (npm run bench:scale: 215 -> 193 MB, the corpus x18, one thread).
// The growth factor is read at every collection, so setting it here, before any work, is enough.
setFlagsFromString('--heap-growing-percent=50');

const EXIT_CODES = `
Exit codes: 0 success, 1 data or model error (unreadable input, damaged model, ...),
2 usage error (unknown option, missing or invalid argument), 3 some reports could not be
read (each named on stderr and in its output row); the others were predicted.`;

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** bugcat serve's prediction threads by default: one per core beside the main thread's, at least one. */
const SERVE_WORKERS = Math.max(1, availableParallelism() - 1);

function number(kind: 'int' | 'float', min: number, max = Infinity) {
  return (value: string) => {
    const x = Number(value);
    if (value.trim() === '' || !Number.isFinite(x) || (kind === 'int' && !Number.isInteger(x)) || x < min || x > max) {
      throw new InvalidArgumentError(
        `expected ${kind === 'int' ? 'an integer' : 'a number'} from ${min}${max === Infinity ? ' up' : ` to ${max}`}`,
      );
    }
    return x;
  };
}

function boolean(value: string | boolean): boolean {
  if (typeof value === 'boolean') return value; // the flag alone (its preset)
  const v = value.trim().toLowerCase();
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off'].includes(v)) return false;
  throw new InvalidArgumentError('expected true or false');
}

/** The parser of a hyperparameter's flag, from the library's table of ranges. */
function parserOf(r: Range): ((v: string) => unknown) | readonly string[] {
  switch (r.type) {
    case 'boolean':
      return boolean;
    case 'choice':
      return r.values;
    default:
      return (value: string) => {
        const x = number(r.type as 'int' | 'float', r.min, r.max)(value);
        if (r.except?.includes(x)) throw new InvalidArgumentError(`expected ${describeRange(r)}`);
        return x;
      };
  }
}

/**
 * One flag per hyperparameter. None has a value unless given: the library fills in the rest,
 * by the default rules (on the number of reports and categories) or DEFAULTS, and records them
 * in the model. The help shows each default, and the rule where one applies.
 */
function addHyperparameters(cmd: Command): Command {
  const ruled = new Map(RULES.flatMap((r) => r.fields.map((f) => [f, r.text] as const)));
  const help = (key: keyof Hyperparameters) =>
    `${DESCRIPTIONS[key]} (default: ${ruled.has(key) ? `by rule, ${ruled.get(key)}; ${JSON.stringify(DEFAULTS[key])} at ${REFERENCE.n} reports` : JSON.stringify(DEFAULTS[key])})`;
  for (const key of Object.keys(DEFAULTS) as (keyof Hyperparameters)[]) {
    if (RANGES[key].type === 'boolean') {
      // A plain flag, and its negation: --stopwords, --no-stopwords (--stopwords false works too).
      cmd.addOption(new Option(`--${kebab(key)} [bool]`, help(key)).preset(true).argParser(boolean));
      cmd.addOption(new Option(`--no-${kebab(key)}`, `do not: ${DESCRIPTIONS[key]}`));
      continue;
    }
    const range = parserOf(RANGES[key]);
    const opt = new Option(`--${kebab(key)} <value>`, help(key));
    cmd.addOption(Array.isArray(range) ? opt.choices(range) : opt.argParser(range as (v: string) => unknown));
  }
  return cmd;
}

/** --autotune and its budget, --unlabelled and --pretrained: how train (and cv, fold by fold) choose hyperparameters and learn from reports without labels. */
function addLearning(cmd: Command): Command {
  return cmd
    .option(
      '--autotune',
      'choose the hyperparameters not given by inner cross-validation on the training reports, within --autotune-budget; the trace is printed and saved in the model',
      false,
    )
    .option(
      '--autotune-budget <seconds>',
      'time the autotune search may take (the final training comes on top)',
      number('float', 1),
      AUTOTUNE_BUDGET,
    )
    .option(
      '--autotune-trials <n>',
      'stop autotune after this many trials: with the same --seed, the same search on any machine (unless the budget stops it first)',
      number('int', 1),
    )
    .option(
      '--unlabelled <paths...>',
      "reports without labels (CSV, JSON, JSON Lines, or folders of any tracker's reports): the vocabulary is fitted on them too, and the input weights start from term vectors pretrained on all the text",
    )
    .option(
      '--pretrained <file>',
      'term vectors written by bugcat pretrain: as --unlabelled with their reports, without pretraining again (--hidden follows their dimension)',
    );
}

/**
 * The column flags. `label`: the reports are labelled; `annotators`: --label-column may name
 * several annotators' columns (train, cv, audit), or else exactly one (evaluate scores against one).
 */
function addColumns(cmd: Command, label: boolean, annotators = false): Command {
  cmd.option('--text-column <name>', 'CSV column holding the report text', 'text');
  if (label && annotators) {
    cmd.option(
      '--label-column <names>',
      "CSV column holding the category; several annotators' columns, separated by commas (label,label_gemma), are combined by Dawid-Skene EM into soft targets (the first one's labels define the categories, decide which reports are left out, and are scored against)",
      'label',
    );
  } else if (label) {
    cmd.addOption(
      new Option('--label-column <name>', 'CSV column holding the category (one column: the annotator to score against)')
        .default('label')
        .argParser((value: string) => {
          if (value.includes(','))
            throw new InvalidArgumentError(
              `name one column: scores are against one annotator's labels at a time (${value
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean)
                .join(' or ')})`,
            );
          return value;
        }),
    );
  }
  cmd.option('--id-column <name>', 'CSV column holding the report id (row numbers if absent)', 'id');
  if (label) {
    cmd.addOption(
      new Option(
        '--exclude-label <labels...>',
        'labels left out, like empty ones (added to the default list; --no-exclude-label clears it)',
      )
        .default([...NON_ANSWERS])
        .argParser((value: string, previous: unknown) => [...(Array.isArray(previous) ? previous : []), value]),
    );
    cmd.addOption(new Option('--no-exclude-label', 'leave out only reports with an empty label'));
  }
  return cmd;
}

/** --second-label-column: one more annotator's column, as if added to --label-column; and the retired --second-label-weight, refused with the reason. */
function addSecondLabel(cmd: Command): Command {
  return cmd
    .option(
      '--second-label-column <name>',
      "CSV column holding another annotator's category for each report (the study's label_gemma): the same as adding it to --label-column",
    )
    .addOption(
      new Option('--second-label-weight <share>').hideHelp().argParser(() => {
        throw new InvalidArgumentError(
          "there is no fixed share any more: several annotators' labels are combined by Dawid-Skene EM, which learns how reliable each one is (see --label-column)",
        );
      }),
    );
}

/** --jobs: threads to train on (the ensemble members and the calibration models side by side); the model is the same with any number. */
function addJobs(cmd: Command): Command {
  return cmd.option(
    '--jobs <n>',
    "threads to train on (default: the machine's cores); the model is the same with any number",
    number('int', 1, 256),
  );
}

function build(): Command {
  const program = new Command('bugcat')
    .description('Sort emulator and hypervisor bug reports into categories: train, predict, evaluate, cross-validate.')
    .version(VERSION)
    .addHelpText('after', EXIT_CODES);

  const train = program
    .command('train')
    .description('Train a model on labelled reports and write it to a folder.')
    .requiredOption('--data <path>', 'labelled reports: a CSV file, or a study folder (<category>/<id> text files) (required)')
    .requiredOption('--out <dir>', 'model folder to write (an existing bugcat model there is replaced) (required)')
    .option('--force', 'write into an existing folder that is not a bugcat model (its other files are left alone)', false)
    .option('--quiet', 'no progress on stderr', false);
  addJobs(train);
  addSecondLabel(train);
  addLearning(train);
  addHyperparameters(addColumns(train, true, true)).action(async (o) => (await import('./commands/train.js')).train(o));

  const predict = program
    .command('predict')
    .description('Predict categories of reports given as text arguments, files, folders, CSV, JSON or JSON Lines exports, or stdin.')
    .argument(
      '[reports...]',
      'report texts, or paths: a folder (every file under it; ids are paths relative to it), a .csv, a .json or .jsonl export of GitHub or GitLab issues, or a text file (one report); a path that does not exist is an error',
    )
    .option('--model <dir>', 'model folder', SHIPPED_MODEL)
    .option('--file <paths...>', 'files or folders of reports')
    .option(
      '--data <path>',
      'a CSV, JSON or JSON Lines file (or a folder) of reports: one prediction per report, in order; - reads a CSV or JSON Lines stream from stdin',
    )
    .addOption(new Option('--input-format <format>', 'read every input as this format instead of by its file name').choices(INPUT_FORMATS))
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('text'))
    .option('--top <k>', 'how many ranked labels to show', number('int', 1), 1)
    .option(
      '--jobs <n>',
      "threads that predict (default: the machine's cores); the answers are the same with any number",
      number('int', 1, 256),
    )
    .option('--progress', 'show progress (reports, rate, time left) on stderr even when it is not a terminal', false)
    .option(
      '--out-dir <dir>',
      "also write every report in the study's layout: <dir>/<label>/<id> holds the ranked 'label: score' lines, a blank line, then the report; and <dir>/categories.csv",
    )
    .option('--force', 'write --out-dir into a non-empty folder bugcat did not write (no file there is replaced or deleted)', false)
    .option('--min-confidence <p>', 'below this confidence, answer the review label instead', number('float', 0, 1), 0)
    .option('--review-label <name>', 'the answer given below --min-confidence', 'manual-review');
  addColumns(predict, false).action(async (reports, o) => (await import('./commands/predict.js')).predict(reports, o));

  const explain = program
    .command('explain')
    .description('Show why reports get their label: the terms that pushed most toward it and toward the runner-up.')
    .argument('[reports...]', 'report texts; an argument naming an existing file is read as one report')
    .option('--model <dir>', 'model folder', SHIPPED_MODEL)
    .option('--file <paths...>', 'files, one report each')
    .option('--data <csv>', 'a CSV of reports: one explanation per row, in order')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--top <k>', 'how many terms to list each way', number('int', 1), 10)
    .option('--label <name>', 'explain this label instead of the predicted one (compared with the predicted one)')
    .option('--versus <name>', 'compare with this label instead of the runner-up')
    .addHelpText(
      'after',
      `
What the numbers mean: they are in logit space, before calibration. The networks score each
label with a logit; the predicted label has the highest (the calibrated probabilities rank the
labels the same way unless the model corrects for label priors). With the report's hidden
units' on/off pattern fixed, each network is linear in the report's terms, so every term's
share of a label's logit is exact. A term's contribution is its share of the label's logit
minus its share of the other label's: positive pushes toward the label, negative toward the
other. The logit difference is exactly the bias (the networks' own offsets) plus the sum of
every term's contribution, the listed ones and "the other N terms". Terms are words of the
report (word), words of its title line (title word) and character n-grams of its beginning
(char n-gram; a space marks a word's edge). An ensemble's figures are its networks' mean.`,
    );
  addColumns(explain, false).action(async (reports, o) => (await import('./commands/explain.js')).explain(reports, o));

  const evaluate = program
    .command('evaluate')
    .description('Score a model on labelled reports: accuracy, F1, per-class table, confusion, calibration.')
    .option('--model <dir>', 'model folder', SHIPPED_MODEL)
    .requiredOption('--data <path>', 'labelled reports: a CSV file or a study folder (required)')
    .option('--json <file>', 'also write the figures as JSON to this file')
    .option('--html <file>', 'also write a report with charts to this file: one self-contained HTML page that opens offline')
    .option('--svg <dir>', "also write the report's charts to this folder, one SVG file each");
  addColumns(evaluate, true).action(async (o) => (await import('./commands/evaluate.js')).evaluate(o));

  const cv = program
    .command('cv')
    .description('k-fold cross-validation with the same training and scoring code as train and evaluate.')
    .requiredOption('--data <path>', 'labelled reports: a CSV file or a study folder (required)')
    .option('--folds <k>', 'number of folds (seeded, stratified), unless --fold-column', number('int', 2, 100), 5)
    .option('--fold-column <name>', "take each report's fold from this CSV column instead")
    .option('--json <file>', 'also write per-fold and mean figures as JSON to this file')
    .option(
      '--predictions <file>',
      "write every report's out-of-fold prediction as CSV: id, the given label(s), fold, label, confidence, then the next --top labels",
    )
    .option('--top <k>', 'how many ranked labels each row of --predictions lists', number('int', 1), 3)
    .option(
      '--html <file>',
      'also write a report with charts of the pooled out-of-fold predictions: one self-contained HTML page that opens offline',
    )
    .option('--svg <dir>', "also write the report's charts to this folder, one SVG file each")
    .option('--quiet', 'no progress on stderr', false);
  addJobs(cv);
  addSecondLabel(cv);
  addLearning(cv);
  addHyperparameters(addColumns(cv, true, true)).action(async (o) => (await import('./commands/cv.js')).cv(o));

  const audit = program
    .command('audit')
    .description('Find the labels most likely wrong: cross-fitted out-of-fold probabilities, then confident learning ranks the reports.')
    .requiredOption('--data <path>', 'labelled reports: a CSV file or a study folder (required)')
    .option(
      '--folds <k>',
      'folds of the cross-fitting (seeded, stratified): each report is scored by a model that never saw it',
      number('int', 2, 100),
      5,
    )
    .option('--top <n>', 'list only the first n (default: every report whose label looks wrong)', number('int', 1))
    .option('--all', 'list every report, ranked, not only those whose label looks wrong', false)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'csv', 'jsonl']).default('text'))
    .addOption(
      new Option(
        '--ranking <how>',
        "how reports are ranked: the given label's probability (self-confidence) or it minus the best other label's (normalized-margin)",
      )
        .choices(RANKINGS)
        .default(RANKINGS[0]),
    )
    .option('--json <file>', 'also write the per-category estimates as JSON to this file')
    .option(
      '--out-dir <dir>',
      "also write the listed reports in the study's layout: <dir>/<suggested label>/<id> holds every label's out-of-fold probability as 'label: score' lines, a blank line, then the report; and <dir>/categories.csv",
    )
    .option('--force', 'write --out-dir into a non-empty folder bugcat did not write (no file there is replaced or deleted)', false)
    .option(
      '--html <file>',
      'also write a report with charts of the out-of-fold predictions (its most confident errors are the labels to review first): one self-contained HTML page that opens offline',
    )
    .option('--svg <dir>', "also write the report's charts to this folder, one SVG file each")
    .option('--quiet', 'no progress on stderr', false)
    .addHelpText(
      'after',
      `
How it works (confident learning, Northcutt et al. 2021): each fold is scored by a model trained
on the other folds, so every report gets every label's out-of-fold probability. A label's
typical confidence is its mean probability over the reports given it. A report's label looks
wrong when another label reaches its own typical confidence and outranks every label that does
(that label is the suggestion). Those reports come first, ranked by how low the given label's
probability is. Per category, the confident joint (reports counted by given label and by the
label they confidently belong to, rescaled to the category's size) estimates how many labels
are wrong.`,
    );
  addSecondLabel(audit);
  addHyperparameters(addColumns(audit, true, true)).action(async (o) => (await import('./commands/audit.js')).audit(o));

  const pretrain = program
    .command('pretrain')
    .description(
      "Learn term vectors from reports without labels (any tracker's), for train --pretrained: the truncated SVD of their TF-IDF matrix.",
    )
    .requiredOption('--data <paths...>', 'reports: CSV, JSON, JSON Lines files, text files or folders of them (required)')
    .requiredOption('--out <file>', 'vectors file to write (required)')
    .option('--max-terms <n>', 'keep at most this many terms, the most frequent (default: 1.5 x --max-features)', number('int', 1))
    .addOption(new Option('--input-format <format>', 'read every input as this format instead of by its file name').choices(INPUT_FORMATS))
    .option('--quiet', 'no progress on stderr', false)
    .addHelpText(
      'after',
      `
The feature settings (--word-ngrams, --char-chars, --stopwords, ...) must be those train will
use: the vectors are matched to the model's vocabulary by term. --hidden sets the vectors'
dimension, which train --pretrained takes as the hidden layer's width.`,
    );
  addHyperparameters(addColumns(pretrain, false)).action(async (o) => (await import('./commands/pretrain.js')).pretrain(o));

  const serve = program
    .command('serve')
    .description(
      'Serve a model over HTTP: JSON predictions, GitHub and GitLab webhooks, metrics. SIGHUP reloads the model, SIGTERM drains and stops.',
    )
    .option('--model <dir>', 'model folder (SIGHUP or POST /v1/admin/reload reads it again)', SHIPPED_MODEL)
    .option('--host <address>', 'address to listen on (127.0.0.1: this machine only; 0.0.0.0: every interface)', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port; the address is printed on stdout)', number('int', 0, 65535), 8080)
    .addOption(new Option('--token <secret>', 'bearer token that every route but /healthz then needs').env('BUGCAT_TOKEN'))
    .addOption(
      new Option('--github-secret <secret>', "the GitHub webhook's secret: deliveries must carry a matching X-Hub-Signature-256").env(
        'BUGCAT_GITHUB_SECRET',
      ),
    )
    .addOption(
      new Option('--gitlab-token <secret>', "the GitLab webhook's secret token: deliveries must carry it as X-Gitlab-Token").env(
        'BUGCAT_GITLAB_TOKEN',
      ),
    )
    .option('--workers <n>', 'prediction threads (0: predict in the main thread)', number('int', 0, 64), SERVE_WORKERS)
    .option('--max-body <bytes>', 'largest request body accepted (413 above)', number('int', 1024), 1024 * 1024)
    .option('--max-report-chars <n>', 'longest report accepted, in characters (413 above)', number('int', 1), 100_000)
    .option('--max-batch <n>', 'most reports in one batch (413 above)', number('int', 1, 10_000), 100)
    .option(
      '--timeout <ms>',
      'time a client has to send a whole request (408 after); a connection silent for twice as long is closed',
      number('int', 100),
      10_000,
    )
    .option('--drain-timeout <ms>', 'time the requests in flight have to finish after SIGTERM', number('int', 0), 10_000)
    .addOption(
      new Option('--log-level <level>', 'log level of the JSON lines on stderr (info: one line per request)')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default('info'),
    );
  serve.action(async (o) => (await import('./commands/serve.js')).serve(o));

  for (const cmd of [program, train, predict, explain, evaluate, cv, audit, pretrain, serve]) {
    cmd
      .exitOverride()
      .showHelpAfterError('(add --help for usage)')
      .configureOutput({ outputError: (text, write) => write(`bugcat: ${text}`) });
  }
  for (const cmd of [train, predict, explain, evaluate, cv, audit, pretrain, serve]) cmd.addHelpText('after', EXIT_CODES);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await build().parseAsync(argv);
    return (process.exitCode as number | undefined) ?? 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version end in a CommanderError too, with exit code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof BugcatError) {
      process.stderr.write(`bugcat: error: ${messageOf(err)}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    process.stderr.write(
      `bugcat: unexpected error: ${e?.message ?? String(err)}\n(please report it; BUGCAT_DEBUG=1 shows where it happened)\n`,
    );
    if (process.env.BUGCAT_DEBUG) process.stderr.write(`${e?.stack}\n`);
    return 1;
  }
}

// A reader that closes early (`| head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv).then((code) => {
  process.exitCode = code;
});
