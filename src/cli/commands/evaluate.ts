import { Command } from 'commander';
import { addOptions, columnOptions, htmlOption, jsonOption, labelledDataOption, modelOption, svgOption } from '../flags.js';

/** bugcat evaluate: a model's scores on labelled reports, as text, JSON, an HTML page or SVG charts. */
export const command = (): Command =>
  addOptions(
    new Command('evaluate')
      .description('Score a model on labelled reports: accuracy, F1, per-class table, confusion, calibration.')
      .addOption(modelOption())
      .addOption(labelledDataOption())
      .addOption(jsonOption('the figures'))
      .addOption(htmlOption())
      .addOption(svgOption())
      .option('--label-separator <sep>', "a multi-label model: what joins a CSV's labels in its label column (default ;)"),
    columnOptions('one'),
  ).action(async (o) => (await import('../actions/evaluate.js')).evaluate(o));
