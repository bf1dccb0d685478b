import { Command } from 'commander';
import { addOptions, htmlOption, jsonOption, labelledDataOption, number, quietOption, svgOption, trainingOptions } from '../flags.js';

/** bugcat cv: k-fold cross-validation, training and scoring as train and evaluate do. */
export const command = (): Command =>
  addOptions(
    new Command('cv')
      .description('k-fold cross-validation with the same training and scoring code as train and evaluate.')
      .addOption(labelledDataOption())
      .option('--folds <k>', 'number of folds (seeded, stratified), unless --fold-column', number('int', 2, 100), 5)
      .option('--fold-column <name>', "take each report's fold from this CSV column instead")
      .option(
        '--time-column <name>',
        "multi-label: each report's time (an issue's field such as created_at, or a CSV column): forward-chaining folds, the reports cut in time order into --folds + 1 parts, each fold trained on the parts before it and tested on the next",
      )
      .addOption(jsonOption('per-fold and mean figures'))
      .option(
        '--predictions <file>',
        "write every report's out-of-fold prediction as CSV: id, the given label(s), fold, label, confidence, then the next --top labels",
      )
      .option('--top <k>', 'how many ranked labels each row of --predictions lists', number('int', 1), 3)
      .addOption(htmlOption('the pooled out-of-fold predictions'))
      .addOption(svgOption())
      .addOption(quietOption()),
    trainingOptions(),
  ).action(async (o) => (await import('../actions/cv.js')).cv(o));
