import type { Log } from '../base/log.js';
import { controlCharacters } from '../text/normalize.js';
import type { ReportRecord } from './records/record.js';

/** Collects the reports whose text held control characters, for one warning at the end. */
export class ControlCounter {
  private readonly hits: string[] = [];
  private count = 0;

  see(record: ReportRecord): ReportRecord {
    const n = controlCharacters(record.text);
    if (n) {
      this.count++;
      if (this.hits.length < 8) this.hits.push(`${record.id} (${n})`);
    }
    return record;
  }

  /** Says, once, which reports had control characters removed. */
  report(log: Log): void {
    if (this.count) {
      log(
        `warning: removed control characters (NUL bytes, escape codes) from ${this.count} report${this.count === 1 ? '' : 's'}: ${this.hits.join(', ')}${this.count > this.hits.length ? `, ... ${this.count - this.hits.length} more` : ''}`,
      );
    }
  }
}

/** `records` as they come, then one warning naming those whose text held control characters. */
export async function* seeingControls(
  records: AsyncIterable<ReportRecord> | Iterable<ReportRecord>,
  log: Log,
): AsyncGenerator<ReportRecord> {
  const controls = new ControlCounter();
  for await (const r of records) yield controls.see(r);
  controls.report(log);
}

/** One warning naming the reports (parallel ids and texts) that held control characters (removed before features). */
export function warnControls(ids: readonly string[], texts: readonly string[], log: Log): void {
  const controls = new ControlCounter();
  texts.forEach((text, i) => controls.see({ id: ids[i], text }));
  controls.report(log);
}
