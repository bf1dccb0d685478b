import { UsageError } from '../base/errors.js';
import type { Reports } from './reports.js';

/**
 * The texts of reports given without labels, as texts or as readAllReports gives them (train's
 * `unlabelled` and `selfTrain.reports`, pretrain's reports): refused, with a UsageError naming
 * `what`, if they are neither. Apart from reports.ts so that a prediction thread, which loads
 * api/model.ts, does not load the readers.
 */
export function unlabelledTexts(reports: readonly string[] | Reports, what: string): readonly string[] {
  const texts = Array.isArray(reports) ? (reports as readonly string[]) : (reports as Reports | undefined)?.texts;
  if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string'))
    throw new UsageError(`${what} takes texts, or reports as readAllReports gives them`);
  return texts;
}
