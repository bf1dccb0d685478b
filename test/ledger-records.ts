/**
 * Ledger records as serve --ledger writes them, for the tests that write a ledger by hand: the
 * fields a test sets, the rest as the bot records an `open` event whose labels it applied,
 * holding none back.
 */
import type { DeliveryRecord, IssueRef } from '../src/index.js';

/** A delivery: its issue, id, time, text and the labels to apply; its suggestions, unless given, each applied label at 0.9. */
export const deliveryRecord = (
  r: IssueRef & Pick<DeliveryRecord, 'id' | 'at' | 'text' | 'apply'> & Partial<DeliveryRecord>,
): DeliveryRecord => ({
  type: 'delivery',
  action: 'open',
  labels: [],
  model: 'm',
  suggestions: r.apply.map((label) => ({ label, probability: 0.9 })),
  held: [],
  dry: false,
  ...r,
});
