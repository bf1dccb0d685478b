import { Command, Option } from 'commander';
import { RANKINGS } from '../../index.js';
import {
  addOptions,
  columnOptions,
  forceOption,
  htmlOption,
  hyperparameterOptions,
  jsonOption,
  labelledDataOption,
  number,
  quietOption,
  secondLabelOptions,
  svgOption,
} from '../flags.js';

/** bugcat audit: the labels most likely wrong, by confident learning on cross-fitted predictions. */
export const command = (): Command =>
  addOptions(
    new Command('audit')
      .description('Find the labels most likely wrong: cross-fitted out-of-fold probabilities, then confident learning ranks the reports.')
      .addOption(labelledDataOption())
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
      .addOption(jsonOption('the per-category estimates'))
      .option(
        '--out-dir <dir>',
        "also write the listed reports in the study's layout: <dir>/<suggested label>/<id> holds every label's out-of-fold probability as 'label: score' lines, the given label as a 'given: <label>' line (and 'given by <annotator>: <label>' for each other annotator), a blank line, then the report; and <dir>/categories.csv",
      )
      .addOption(forceOption())
      .addOption(
        htmlOption(
          "the audit: the listed reports ranked (given, suggested and every annotator's label, with probabilities), the per-category estimates of wrong labels, and the out-of-fold predictions",
        ),
      )
      .addOption(svgOption())
      .addOption(quietOption())
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
      ),
    secondLabelOptions(),
    columnOptions('annotators'),
    hyperparameterOptions(),
  ).action(async (o) => (await import('../actions/audit.js')).audit(o));
