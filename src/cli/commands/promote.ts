import { Command, Option } from 'commander';
import { PROMOTE_METRICS, PROMOTE_RECENT } from '../../index.js';
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
        'labelled reports to compare the two models on: a CSV file, a study folder or a tracker export (a test set neither was trained on)',
      )
      .option(
        '--ledger <file>',
        "compare on the bot's ledger (serve --ledger) instead of --data: its most recent issues whose labels people set or confirmed, with their texts as the ledger holds them",
      )
      .option('--recent <n>', `with --ledger: how many of those issues, the most recent (default ${PROMOTE_RECENT})`, number('int', 1))
      .addOption(
        new Option(
          '--metric <name>',
          'the figure that decides (default: accuracy for single-label models, micro_f1 for multi-label ones)',
        ).choices(PROMOTE_METRICS),
      )
      .option('--tolerance <x>', 'how much lower the candidate may score and still count as no worse', number('float', 0, 1), 0)
      .option('--force', 'promote the candidate even if it scores worse', false)
      .addOption(jsonOption('the comparison'))
      .addHelpText(
        'after',
        `
The candidate is checked (as any model is loaded), scored beside the active model on --data or on
the ledger's --recent latest human-labelled issues (those train --ledger learns from: labels a
person added, or bugcat's that a person kept), and refused (exit 1, nothing changed) if its figure
is lower than the active model's less --tolerance, unless --force. A multi-label model is scored
over its own labels: micro_f1, macro_f1, and accuracy as the share of reports whose label set it
gets exactly right. Promoted, it is copied into DIR/models/ and DIR/active points at it;
the model that was active stays as DIR/previous, and the one before that is moved to
DIR/archive/ (never deleted). The links change by one rename each, so a service reading DIR/active
finds one model or the other, whole. Then send the service SIGHUP (or POST /v1/admin/reload): it
loads the new model beside the old one and answers every request. With nothing active yet, the
candidate becomes active without comparison.`,
      ),
    columnOptions('one'),
  ).action(async (candidate, o) => (await import('../actions/promote.js')).promote(candidate, o));
