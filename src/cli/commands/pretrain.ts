import { Command } from 'commander';
import { addOptions, columnOptions, hyperparameterOptions, inputFormatOption, number, quietOption } from '../flags.js';

/** bugcat pretrain: term vectors from reports without labels, for train --pretrained. */
export const command = (): Command =>
  addOptions(
    new Command('pretrain')
      .description(
        "Learn term vectors from reports without labels (any tracker's), for train --pretrained: the truncated SVD of their TF-IDF matrix.",
      )
      .requiredOption('--data <paths...>', 'reports: CSV, JSON, JSON Lines files, text files or folders of them (required)')
      .requiredOption('--out <file>', 'vectors file to write (required)')
      .option('--max-terms <n>', 'keep at most this many terms, the most frequent (default: 1.5 x --max-features)', number('int', 1))
      .addOption(inputFormatOption())
      .addOption(quietOption())
      .addHelpText(
        'after',
        `
The feature settings (--word-ngrams, --char-chars, --stopwords, ...) must be those train will
use: the vectors are matched to the model's vocabulary by term. --hidden sets the vectors'
dimension, which train --pretrained takes as the hidden layer's width.`,
      ),
    columnOptions('none'),
    hyperparameterOptions(),
  ).action(async (o) => (await import('../actions/pretrain.js')).pretrain(o));
