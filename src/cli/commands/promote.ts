import { Command, Option } from 'commander';
import { PROMOTE_METRICS } from '../../index.js';
import { addOptions, columnOptions, jsonOption, modelsOption, number } from '../flags.js';

/** bugcat promote: a retrained model made active if it scores no worse than the active one. */
export const command = (): Command =>
  addOptions(
    new Command('promote')
      .description(
        'Make a retrained model the active one of a models folder (serve --models) if it scores no worse than the active model on labelled reports; the active one becomes previous.',
      )
      .argument('<candidate>', 'the folder of the model to promote (it is copied; the folder is left as it is)')
      .addOption(modelsOption().makeOptionMandatory())
      .option(
        '--data <path>',
        'labelled reports to compare the two models on: a CSV file or a study folder (a test set neither was trained on)',
      )
      .addOption(new Option('--metric <name>', 'the figure that decides').choices(PROMOTE_METRICS).default('accuracy'))
      .option('--tolerance <x>', 'how much lower the candidate may score and still count as no worse', number('float', 0, 1), 0)
      .option('--force', 'promote the candidate even if it scores worse', false)
      .addOption(jsonOption('the comparison'))
      .addHelpText(
        'after',
        `
The candidate is checked (as any model is loaded), scored beside the active model on --data, and
refused (exit 1, nothing changed) if its figure is lower than the active model's less
--tolerance, unless --force. Promoted, it is copied into DIR/models/ and DIR/active points at it;
the model that was active stays as DIR/previous, and the one before that is moved to
DIR/archive/ (never deleted). The links change by one rename each, so a service reading DIR/active
finds one model or the other, whole. Then send the service SIGHUP (or POST /v1/admin/reload): it
loads the new model beside the old one and answers every request. With nothing active yet, the
candidate becomes active without comparison.`,
      ),
    columnOptions('one'),
  ).action(async (candidate, o) => (await import('../actions/promote.js')).promote(candidate, o));
