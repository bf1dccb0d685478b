import { Command, Option } from 'commander';
import { STUDY_LAYOUTS } from '../../index.js';
import { addOptions, columnOptions, forceOption, idFromOption, inputFormatOption, jobsOption, modelOption, number } from '../flags.js';
import { FORMATS } from '../format.js';

/** bugcat predict: reports from arguments, files, folders, exports or stdin; one prediction each. */
export const command = (): Command =>
  addOptions(
    new Command('predict')
      .description('Predict categories of reports given as text arguments, files, folders, CSV, JSON or JSON Lines exports, or stdin.')
      .argument(
        '[reports...]',
        'report texts, or paths: a folder (every file under it), a .csv, a .json or .jsonl export of GitHub or GitLab issues, or a text file (one report, named by its base name; see --id-from); a path that does not exist is an error',
      )
      .addOption(modelOption())
      .option('--file <paths...>', 'files or folders of reports')
      .option(
        '--data <path>',
        'a CSV, JSON or JSON Lines file (or a folder) of reports: one prediction per report, in order; - reads a CSV or JSON Lines stream from stdin',
      )
      .addOption(inputFormatOption())
      .addOption(idFromOption())
      .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('text'))
      .option('--top <k>', 'how many ranked labels to show', number('int', 1), 1)
      .addOption(jobsOption('that predict', 'the answers are'))
      .option('--progress', 'show progress (reports, rate, time left) on stderr even when it is not a terminal', false)
      .option(
        '--out-dir <dir>',
        "also write every report in one of the study's layouts (see --layout), named by its id, in its label's folder, so that the study's create_diff.py and create_csv.py read it as a run",
      )
      .addOption(
        new Option(
          '--layout <layout>',
          "--out-dir's layout: flat, as the study's zero-shot runs (<dir>/<label>/<id>: the ranked 'label: score' lines, a blank line, the report; <dir>/categories.csv), or llm, as its LLM runs (<dir>/output/<label>/<id>: the report; <dir>/reasoning/<label>/<id>: the ranked lines; <dir>/output/categories.csv); compare with an LLM run in llm",
        )
          .choices(STUDY_LAYOUTS)
          .default('flat'),
      )
      .addOption(forceOption())
      .option(
        '--min-confidence <p>',
        'below this confidence, answer the review label instead; the best label and its probability stay in every format (best, best_confidence)',
        number('float', 0, 1),
        0,
      )
      .option('--review-label <name>', 'the answer given below --min-confidence', 'manual-review')
      .option(
        '--defer-share <s>',
        'defer the least sure share S (0 to 1) of the reports: marked deferred (columns deferred, answered_by) and, with --llm, answered by the LLM; the output then comes at the end',
        number('float', 0, 1),
      )
      .option(
        '--defer-below <c>',
        'defer the reports whose best label is less probable than C (0 to 1); with --defer-share, either defers',
        number('float', 0, 1),
      )
      .option(
        '--llm <url>',
        "send the deferred reports to this Ollama-compatible server (POST /api/chat; http://127.0.0.1:11434), with the study's prompt; its category replaces the model's (answered_by llm, llm_answer)",
      )
      .option('--llm-model <name>', 'the model the LLM server runs (deepseek-r1:14b)')
      .option(
        '--llm-prompt <file>',
        "what follows the report in the prompt (as the study's preambel files; {categories} becomes the model's labels, one a line); default: the categories, then 'Respond only with a single word, the name of the category.'",
      )
      .option('--llm-concurrency <n>', 'LLM calls in flight at once', number('int', 1, 64), 2)
      .option('--llm-timeout <seconds>', 'seconds one LLM call may take', number('float', 0, Infinity, { above: true }), 300)
      .option(
        '--llm-retries <n>',
        'further attempts of a failed LLM call (a network error, a timeout, HTTP 5xx or 429), with back-off from 1 s, doubling',
        number('int', 0, 20),
        3,
      )
      .option(
        '--mark-training',
        'CSV: add an in_training column, true for the reports the model was trained on (JSON marks them "in_training": true always)',
        false,
      ),
    columnOptions('none'),
  ).action(async (reports, o, cmd: Command) =>
    (await import('../actions/predict.js')).predict(reports, {
      ...o,
      // The flags given on the command line (a multi-label model refuses those that mean nothing to it, and --top changes what it lists).
      given: cmd.options.map((x) => x.attributeName()).filter((name) => cmd.getOptionValueSource(name) === 'cli'),
    }),
  );
