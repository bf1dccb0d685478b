import { Command } from 'commander';
import { modelsOption } from '../flags.js';

/** bugcat rollback: the previous model of a models folder made active again. */
export const command = (): Command =>
  new Command('rollback')
    .description(
      'Make the previous model of a models folder (serve --models) active again, and the active one previous (a second rollback undoes the first); then send the service SIGHUP.',
    )
    .addOption(modelsOption().makeOptionMandatory())
    .action(async (o) => (await import('../actions/promote.js')).rollback(o));
