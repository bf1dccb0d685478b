import { pretrain as learn, readAllReports, saveVectors } from '../../index.js';
import { hyperparametersOf, logOf } from '../options.js';

interface PretrainFlags {
  data: string[];
  out: string;
  maxTerms?: number;
  inputFormat?: 'text' | 'csv' | 'json' | 'jsonl';
  textColumn: string;
  idColumn: string;
  quiet: boolean;
}

/** bugcat pretrain: term vectors from reports without labels, written to one file. */
export async function pretrain(o: PretrainFlags & Record<string, unknown>): Promise<void> {
  const log = logOf(o);
  const started = performance.now();
  const reports = readAllReports(o.data, {
    textColumn: o.textColumn,
    idColumn: o.idColumn,
    format: o.inputFormat,
    onWarning: log ?? (() => {}),
  });
  const texts = reports.texts.filter((_, i) => !reports.errors?.[i]);
  log?.(`pretraining on ${texts.length} reports from ${o.data.join(', ')}`);
  const vectors = await learn(texts, { hyperparameters: hyperparametersOf(o), maxTerms: o.maxTerms, onProgress: log });
  saveVectors(vectors, o.out);
  log?.(
    `${vectors.terms.length} term vectors of ${vectors.dim} dimensions written to ${o.out} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}
