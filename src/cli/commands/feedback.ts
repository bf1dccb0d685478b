import { Command, Option } from 'commander';
import { htmlOption } from '../flags.js';

/** bugcat feedback: how often people kept the bot's labels, from its ledger. */
export const command = (): Command =>
  new Command('feedback')
    .description(
      "How often people keep the bot's labels, from serve's --ledger: per label suggested, applied, kept, removed by a person, added by a person where bugcat missed it; over time.",
    )
    .requiredOption('--ledger <file>', "the bot's ledger (serve --ledger)")
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--period <period>', 'the periods of the trend').choices(['day', 'week', 'month']).default('month'))
    .addOption(htmlOption('the feedback'))
    .action(async (o) => (await import('../actions/feedback.js')).feedback(o));
