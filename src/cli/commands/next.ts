import { Command, Option } from 'commander';
import { STUDY_LAYOUTS, UNCERTAINTIES } from '../../index.js';
import { addOptions, columnOptions, forceOption, idFromOption, inputFormatOption, number, quietOption } from '../flags.js';

/** bugcat next: the reports to label next (active learning), or a diverse seed set when nothing is labelled yet. */
export const command = (): Command =>
  addOptions(
    new Command('next')
      .description(
        'Propose the reports to label next: those the model is least sure of, kept unlike one another and the labelled ones (with no model and no labels, a diverse seed set).',
      )
      .argument('[reports...]', 'the pool of unlabelled reports: paths (folders, .csv, .json, .jsonl exports, text files) or texts')
      .option('--file <paths...>', 'files or folders of the pool')
      .option('--data <path>', 'a CSV, JSON or JSON Lines file (or a folder) of the pool; - reads a CSV or JSON Lines stream from stdin')
      .addOption(inputFormatOption())
      .addOption(idFromOption())
      .option('--model <dir>', 'the current model, whose doubt ranks the pool (default: one trained on --labelled, or none)')
      .option(
        '--labelled <path>',
        'the reports labelled so far (a CSV with --label-column, or a study folder): never proposed again, the proposals kept unlike them, and without --model a model is trained on them',
      )
      .option('--top <n>', 'how many reports to propose', number('int', 1), 20)
      .addOption(
        new Option(
          '--format <format>',
          'output format: csv (id, text, a blank label column to fill in, the guess, its probability, ...), jsonl or text',
        )
          .choices(['csv', 'jsonl', 'text'])
          .default('csv'),
      )
      .option(
        '--out-dir <dir>',
        "also write the proposed reports in the study's layout, in its manual-review folder (which training skips): <dir>/manual-review/<id> with the model's ranked 'label: score' lines; move each file into its category's folder to label it",
      )
      .addOption(new Option('--layout <layout>', "--out-dir's layout (flat or llm, as predict's)").choices(STUDY_LAYOUTS).default('flat'))
      .addOption(forceOption())
      .addOption(
        new Option('--uncertainty <how>', "the model's doubt: margin (1 - the two best labels' difference) or entropy")
          .choices(UNCERTAINTIES)
          .default('margin'),
      )
      .option(
        '--diversity <x>',
        'weight of redundancy: the exponent of (1 - the highest cosine to a labelled or proposed report); 0 ignores it',
        number('float', 0, 10),
        1,
      )
      .option('--density <x>', "weight of a report's density (its mean cosine to the pool): 0 ignores it", number('float', 0, 10), 1)
      .option(
        '--explore <share>',
        'the share of the proposals drawn at random from the pool instead of ranked by doubt (0 ranks them all), spread through the ranks',
        number('float', 0, 1),
        0.5,
      )
      .option('--seed <n>', "seed of the density's sample and of the random draws", number('int', 0), 1)
      .addOption(quietOption())
      .addHelpText(
        'after',
        `
How reports are chosen: each report's score is the model's doubt (1 - the margin between its two
best labels' probabilities) x its density (mean TF-IDF cosine to the pool: typical reports teach
about many) x (1 - its highest cosine to a labelled report or one chosen before it). The best is
taken, then the next, each step discounting the reports like those taken. With a model, every
other proposal (--explore 0.5) is drawn at random from the pool instead: reports chosen by doubt
alone are those the model cannot tell apart yet, whose labels the rest contradict more often; a
share drawn at random keeps the labelled set like the pool (the picked column says which).
Reports whose id or text is among --labelled, or that the model was trained on, are never
proposed. Fill in the label column of the CSV (or move the files of --out-dir into category
folders), then train on the labels and ask again.`,
      ),
    columnOptions('one'),
  ).action(async (reports, o) => (await import('../actions/next.js')).next(reports, o));
