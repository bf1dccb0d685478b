/**
 * The flags that several commands share, each defined once: a command adds them with
 * `.addOption(quietOption())`, or a whole group with `addOptions(cmd, columnOptions('one'))`.
 * What a command's action does with them is in options.ts and learning.ts.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  AUTOTUNE_BUDGET,
  DEFAULTS,
  DESCRIPTIONS,
  describeRange,
  ID_FROM,
  INPUT_FORMATS,
  NON_ANSWERS,
  RANGES,
  REFERENCE,
  RULES,
  SELF_TRAIN_ROUNDS,
  SELF_TRAIN_SHARE,
  SHIPPED_MODEL,
  type Hyperparameters,
  type Range,
} from '../index.js';

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The parser of a numeric flag: an integer (or any number) from min (above min, with `above`) to max, or else a usage error. */
export function number(kind: 'int' | 'float', min: number, max = Infinity, { above = false } = {}) {
  return (value: string) => {
    const x = Number(value);
    const low = above ? x <= min : x < min;
    if (value.trim() === '' || !Number.isFinite(x) || (kind === 'int' && !Number.isInteger(x)) || low || x > max) {
      const from = above
        ? `above ${min}${max === Infinity ? '' : `, up to ${max}`}`
        : `from ${min}${max === Infinity ? ' up' : ` to ${max}`}`;
      throw new InvalidArgumentError(`expected ${kind === 'int' ? 'an integer' : 'a number'} ${from}`);
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

/** Adds options, and groups of them, in the order given. */
export function addOptions(cmd: Command, ...options: (Option | Option[])[]): Command {
  for (const option of options.flat()) cmd.addOption(option);
  return cmd;
}

/** --quiet: train, cv, audit and pretrain report their progress on stderr unless told not to. */
export const quietOption = (): Option => new Option('--quiet', 'no progress on stderr').default(false);

/** --model: the model folder, the shipped one unless given. */
export const modelOption = (description = 'model folder'): Option => new Option('--model <dir>', description).default(SHIPPED_MODEL);

/** --models DIR: the models folder that serve --models serves, and promote and rollback change. */
export const modelsOption = (): Option =>
  new Option('--models <dir>', 'models folder: DIR/active is served (serve --models), DIR/previous is what rollback brings back');

/** --data of the commands that score labels (evaluate, cv, audit). */
export const labelledDataOption = (): Option =>
  new Option('--data <path>', 'labelled reports: a CSV file or a study folder (required)').makeOptionMandatory();

/** --input-format: read every input as one format, whatever its file name. */
export const inputFormatOption = (): Option =>
  new Option('--input-format <format>', 'read every input as this format instead of by its file name').choices(INPUT_FORMATS);

/** --id-from: how a report read from a file is named (its base name, as the study names them, or its path). */
export const idFromOption = (): Option =>
  new Option(
    '--id-from <how>',
    "name a report read from a file by its base name (name: 1988, as the study does) or by its path (path: relative to the folder given, or as given); ids several files share get their parent folder's name (box64-100)",
  )
    .choices(ID_FROM)
    .default('name');

/** --force: write where bugcat would refuse to (what it refuses is the command's to say). */
export const forceOption = (
  description = 'write --out-dir into a non-empty folder bugcat did not write (no file there is replaced or deleted)',
): Option => new Option('--force', description).default(false);

/** --json FILE: the figures, whichever `what` names, as JSON beside the usual output. */
export const jsonOption = (what: string): Option => new Option('--json <file>', `also write ${what} as JSON to this file`);

/** --html FILE: the report with charts, of `what` (or of the command's figures when not said). */
export const htmlOption = (what?: string): Option =>
  new Option(
    '--html <file>',
    `also write a report with charts ${what ? `of ${what}` : 'to this file'}: one self-contained HTML page that opens offline`,
  );

/** --svg DIR: the same report's charts, one file each. */
export const svgOption = (): Option => new Option('--svg <dir>', "also write the report's charts to this folder, one SVG file each");

/** --jobs: how many threads `work`; the result is the same with any number (`same` says which result). */
export const jobsOption = (work: string, same: string): Option =>
  new Option('--jobs <n>', `threads ${work} (default: the machine's cores); ${same} the same with any number`).argParser(
    number('int', 1, 256),
  );

/**
 * One flag per hyperparameter. None has a value unless given: the library fills in the rest,
 * by the default rules (on the number of reports and categories) or DEFAULTS, and records them
 * in the model. The help shows each default, and the rule where one applies.
 */
export function hyperparameterOptions(): Option[] {
  const ruled = new Map(RULES.flatMap((r) => r.fields.map((f) => [f, r.text] as const)));
  const help = (key: keyof Hyperparameters) =>
    `${DESCRIPTIONS[key]} (default: ${ruled.has(key) ? `by rule, ${ruled.get(key)}; ${JSON.stringify(DEFAULTS[key])} at ${REFERENCE.n} reports` : JSON.stringify(DEFAULTS[key])})`;
  const options: Option[] = [];
  for (const key of Object.keys(DEFAULTS) as (keyof Hyperparameters)[]) {
    if (RANGES[key].type === 'boolean') {
      // A plain flag, and its negation: --stopwords, --no-stopwords (--stopwords false works too).
      options.push(new Option(`--${kebab(key)} [bool]`, help(key)).preset(true).argParser(boolean));
      options.push(new Option(`--no-${kebab(key)}`, `do not: ${DESCRIPTIONS[key]}`));
      continue;
    }
    const range = parserOf(RANGES[key]);
    const opt = new Option(`--${kebab(key)} <value>`, help(key));
    options.push(Array.isArray(range) ? opt.choices(range) : opt.argParser(range as (v: string) => unknown));
  }
  return options;
}

/** --autotune and its budget, --unlabelled, --pretrained and --self-train: how train (and cv, fold by fold) choose hyperparameters and learn from reports without labels (read by learning.ts). */
export const learningOptions = (): Option[] => [
  new Option(
    '--autotune',
    'choose the hyperparameters not given by inner cross-validation on the training reports, within --autotune-budget; the trace is printed and saved in the model',
  ).default(false),
  new Option('--autotune-budget <seconds>', 'time the autotune search may take (the final training comes on top)')
    .default(AUTOTUNE_BUDGET)
    .argParser(number('float', 1)),
  new Option(
    '--autotune-trials <n>',
    'stop autotune after this many trials: with the same --seed, the same search on any machine (unless the budget stops it first)',
  ).argParser(number('int', 1)),
  new Option(
    '--unlabelled <paths...>',
    "reports without labels (CSV, JSON, JSON Lines, or folders of any tracker's reports): the vocabulary is fitted on them too, and the input weights start from term vectors pretrained on all the text",
  ),
  new Option(
    '--pretrained <file>',
    'term vectors written by bugcat pretrain: as --unlabelled with their reports, without pretraining again (--hidden follows their dimension)',
  ),
  new Option(
    '--self-train <paths...>',
    "reports without labels (the pool next proposes from: any input bugcat reads) to learn from too, each with the model's own guess, the surest first; confidences stay calibrated on the labelled reports",
  ),
  new Option(
    '--self-train-share <share>',
    `the share of each category's guessed reports learnt, the surest first (above 0, up to 1; default ${SELF_TRAIN_SHARE})`,
  ).argParser(number('float', 0, 1, { above: true })),
  new Option('--self-train-rounds <n>', `rounds of guessing and training again (default ${SELF_TRAIN_ROUNDS})`).argParser(
    number('int', 1, 10),
  ),
];

/**
 * The column flags. `labels`: none (the reports are not labelled), one column (evaluate scores
 * against one annotator), or annotators (--label-column may name several annotators' columns:
 * train, cv, audit).
 */
export function columnOptions(labels: 'none' | 'one' | 'annotators'): Option[] {
  const options = [new Option('--text-column <name>', 'CSV column holding the report text').default('text')];
  if (labels === 'annotators') {
    options.push(
      new Option(
        '--label-column <names>',
        "CSV column holding the category; several annotators' columns, separated by commas (label,label_gemma), are combined by Dawid-Skene EM into soft targets (the first one's labels define the categories, decide which reports are left out, and are scored against)",
      ).default('label'),
    );
  } else if (labels === 'one') {
    options.push(
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
  options.push(new Option('--id-column <name>', 'CSV column holding the report id (row numbers if absent)').default('id'));
  if (labels === 'annotators')
    options.push(
      new Option(
        '--group-column <name>',
        "CSV column giving each report's group, kept in one fold of cv, audit, the calibration and autotune, instead of the groups found (reports that share a normalised title or body); the id column groups nothing",
      ),
    );
  if (labels !== 'none') {
    options.push(
      new Option(
        '--exclude-label <labels...>',
        'labels left out, like empty ones (added to the default list; --no-exclude-label clears it)',
      )
        .default([...NON_ANSWERS])
        .argParser((value: string, previous: unknown) => [...(Array.isArray(previous) ? previous : []), value]),
      new Option('--no-exclude-label', 'leave out only reports with an empty label'),
    );
  }
  return options;
}

/** --second-label-column: one more annotator's column, as if added to --label-column; and the retired --second-label-weight, refused with the reason. */
export const secondLabelOptions = (): Option[] => [
  new Option(
    '--second-label-column <name>',
    "CSV column holding another annotator's category for each report (the study's label_gemma): the same as adding it to --label-column",
  ),
  new Option('--second-label-weight <share>').hideHelp().argParser(() => {
    throw new InvalidArgumentError(
      "there is no fixed share any more: several annotators' labels are combined by Dawid-Skene EM, which learns how reliable each one is (see --label-column)",
    );
  }),
];

/**
 * The flags of multi-label training (train, and cv fold by fold): a tracker's own labels, several
 * a report. --exclude-label then takes glob patterns ('workflow::*,Closed::*').
 */
export const multiLabelOptions = (): Option[] => [
  new Option(
    '--multi-label',
    "learn each report's labels, several a report (a sigmoid output and a threshold per label); the default for GitLab and GitHub exports (.json, .jsonl), whose issues carry label lists; a CSV's label column then holds each report's labels joined by --label-separator",
  ).default(false),
  new Option('--label-separator <sep>', "--multi-label: what joins a CSV's labels in its label column").default(';'),
  new Option(
    '--min-label-count <n>',
    '--multi-label: labels on fewer training reports are not learned; the model card lists them as needing more data',
  )
    .default(10)
    .argParser(number('int', 1)),
  new Option(
    '--min-precision <p>',
    "--multi-label: each label's threshold is the lowest whose out-of-fold precision reaches p, and never under p itself (labels that cannot are never suggested, and listed); default: each label's best out-of-fold F1",
  ).argParser(number('float', 0.01, 1)),
];

/**
 * The flags of the commands that train, after their own: train's, which cv repeats fold by fold.
 * --jobs: threads to train on (the ensemble members and the calibration models side by side).
 */
export const trainingOptions = (): Option[] => [
  jobsOption('to train on', 'the model is'),
  ...multiLabelOptions(),
  ...secondLabelOptions(),
  ...learningOptions(),
  ...columnOptions('annotators'),
  ...hyperparameterOptions(),
];
