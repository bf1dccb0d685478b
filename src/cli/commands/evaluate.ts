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
      .option('--label-separator <sep>', "a multi-label model: what joins a CSV's labels in its label column (default ;)")
      .option(
        '--defer-curve [column]',
        "also give the cascade's curve (predict --defer-share 0 to 0.5): the least sure share of the reports answered by COLUMN (an LLM's stored answers, another annotator's labels; default: the labels scored against, so that the curve is the agreement with the run they come from), the rest by the model; in the text, --json (defer_curve) and --html",
      ),
    columnOptions('one'),
  ).action(async (o) => (await import('../actions/evaluate.js')).evaluate(o));
