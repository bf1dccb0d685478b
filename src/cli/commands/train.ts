import { Command } from 'commander';
import { addOptions, forceOption, quietOption, trainingOptions } from '../flags.js';

/** bugcat train: labelled reports in, a model folder out. */
export const command = (): Command =>
  addOptions(
    new Command('train')
      .description('Train a model on labelled reports and write it to a folder.')
      .requiredOption('--data <path>', 'labelled reports: a CSV file, or a study folder (<category>/<id> text files) (required)')
      .requiredOption('--out <dir>', 'model folder to write (an existing bugcat model there is replaced) (required)')
      .addOption(forceOption('write into an existing folder that is not a bugcat model (its other files are left alone)'))
      .addOption(quietOption()),
    trainingOptions(),
  ).action(async (o) => (await import('../actions/train.js')).train(o));
