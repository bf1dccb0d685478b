import { Command, Option } from 'commander';
import { addOptions, columnOptions, forceOption, inputFormatOption, jobsOption, modelOption, number } from '../flags.js';
import { FORMATS } from '../format.js';

/** bugcat predict: reports from arguments, files, folders, exports or stdin; one prediction each. */
export const command = (): Command =>
  addOptions(
    new Command('predict')
      .description('Predict categories of reports given as text arguments, files, folders, CSV, JSON or JSON Lines exports, or stdin.')
      .argument(
        '[reports...]',
        'report texts, or paths: a folder (every file under it; ids are paths relative to it), a .csv, a .json or .jsonl export of GitHub or GitLab issues, or a text file (one report); a path that does not exist is an error',
      )
      .addOption(modelOption())
      .option('--file <paths...>', 'files or folders of reports')
      .option(
        '--data <path>',
        'a CSV, JSON or JSON Lines file (or a folder) of reports: one prediction per report, in order; - reads a CSV or JSON Lines stream from stdin',
      )
      .addOption(inputFormatOption())
      .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('text'))
      .option('--top <k>', 'how many ranked labels to show', number('int', 1), 1)
      .addOption(jobsOption('that predict', 'the answers are'))
      .option('--progress', 'show progress (reports, rate, time left) on stderr even when it is not a terminal', false)
      .option(
        '--out-dir <dir>',
        "also write every report in the study's layout: <dir>/<label>/<id> holds the ranked 'label: score' lines, a blank line, then the report; and <dir>/categories.csv",
      )
      .addOption(forceOption())
      .option('--min-confidence <p>', 'below this confidence, answer the review label instead', number('float', 0, 1), 0)
      .option('--review-label <name>', 'the answer given below --min-confidence', 'manual-review')
      .option(
        '--mark-training',
        'CSV: add an in_training column, true for the reports the model was trained on (JSON marks them "in_training": true always)',
        false,
      ),
    columnOptions('none'),
  ).action(async (reports, o) => (await import('../actions/predict.js')).predict(reports, o));
