import { Command, Option } from 'commander';
import { INDEX_TERMS } from '../../index.js';
import { addOptions, forceOption, number, quietOption, trainingOptions } from '../flags.js';

/** bugcat train: labelled reports in, a model folder out. */
export const command = (): Command =>
  addOptions(
    new Command('train')
      .description('Train a model on labelled reports and write it to a folder.')
      .requiredOption('--data <path>', 'labelled reports: a CSV file, or a study folder (<category>/<id> text files) (required)')
      .requiredOption('--out <dir>', 'model folder to write (an existing bugcat model there is replaced) (required)')
      .addOption(forceOption('write into an existing folder that is not a bugcat model (its other files are left alone)'))
      .addOption(
        new Option(
          '--keep-index [terms]',
          `keep the training reports' ids, labels and TF-IDF vectors (each cut to its largest [terms] weights, ${INDEX_TERMS} if not given; 0 keeps all) in the model, for bugcat similar`,
        ).argParser(number('int', 0)),
      )
      .addOption(quietOption())
      .option(
        '--ledger <file>',
        "the bot's ledger (serve --ledger): add the issues whose labels people set or confirmed as labelled reports, weighted above the rest (never the bot's unconfirmed suggestions)",
      )
      .option('--ledger-weight <n>', "how many times each of the ledger's reports counts", number('int', 1, 100), 3),
    trainingOptions(),
  ).action(async (o) => (await import('../actions/train.js')).train(o));
