import { Command, Option } from 'commander';
import { addOptions, columnOptions, idFromOption, inputFormatOption, modelOption, number } from '../flags.js';
import { FORMATS } from '../format.js';

/** bugcat similar: the training reports most like each report given (possible duplicates), from a model trained with --keep-index. */
export const command = (): Command =>
  addOptions(
    new Command('similar')
      .description(
        'Find the training reports most similar to each report given (possible duplicates), with their labels: needs a model trained with --keep-index.',
      )
      .argument(
        '[reports...]',
        'report texts, or paths: a folder (every file under it), a .csv, a .json or .jsonl export of GitHub or GitLab issues, or a text file (one report); a path that does not exist is an error',
      )
      .addOption(modelOption('model folder (trained with --keep-index)'))
      .option('--file <paths...>', 'files or folders of reports')
      .option('--data <path>', 'a CSV, JSON or JSON Lines file (or a folder) of reports; - reads a CSV or JSON Lines stream from stdin')
      .addOption(inputFormatOption())
      .addOption(idFromOption())
      .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('text'))
      .option('--top <k>', 'how many similar reports to give for each report, the most similar first', number('int', 1), 5)
      .option(
        '--min-similarity <s>',
        'leave out training reports less similar than this (cosine similarity of the TF-IDF vectors, 0 to 1)',
        number('float', 0, 1),
        0,
      )
      .option('--exclude-same-id', "leave out the training report whose id is the report's own (a report the model was trained on)", false)
      .addHelpText(
        'after',
        `
The similarity is the cosine of two reports' TF-IDF vectors in the model's own features (words,
title words, character n-grams), each training report's cut to its largest weights when it was
indexed: 1 for the same terms in the same proportions, 0 for no term in common (never listed).
Output: text (one line per similar report: [id<TAB>]similarity<TAB>similar id<TAB>labels), csv
(id,rank,similar_id,labels,similarity,error; labels joined by ';'), json or jsonl
({id, similar: [{id, labels, similarity}]}, or {id, error}). A report that cannot be read keeps
its row, saying why, and the command exits 3.`,
      ),
    columnOptions('none'),
  ).action(async (reports, o) => (await import('../actions/similar.js')).similar(reports, o));
