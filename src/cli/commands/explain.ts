import { Command, Option } from 'commander';
import { addOptions, columnOptions, modelOption, number } from '../flags.js';

/** bugcat explain: the terms behind a report's label, exactly, in logit space. */
export const command = (): Command =>
  addOptions(
    new Command('explain')
      .description('Show why reports get their label: the terms that pushed most toward it and toward the runner-up.')
      .argument('[reports...]', 'report texts; an argument naming an existing file is read as one report')
      .addOption(modelOption())
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
      ),
    columnOptions('none'),
  ).action(async (reports, o) => (await import('../actions/explain.js')).explain(reports, o));
