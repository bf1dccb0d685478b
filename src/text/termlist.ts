/**
 * The distinct terms of counted reports (counter.ts's Counted.terms), term i at `at(i)`: an array
 * of strings where the reports were counted, or, in a thread they were posted to, all of them in
 * one string (PackedTerms). Training's counting meets about 510,000 distinct terms on the QEMU
 * corpus. Posted one string each, they cost the worker 0.10 to 0.15 s of rebuilding and
 * collecting (a profile), on its way to its first network; it needs the strings of the 50,000
 * its vocabularies keep and of the terms tied at their edge.
 */
export interface TermList {
  readonly length: number;
  at(index: number): string | undefined;
}

/** Terms as one string and where each ends: what a thread posts of its term list. */
export interface PackedTermsData {
  text: string;
  ends: Int32Array;
}

/** A term list as PackedTermsData, for another thread (one string and one array to copy, not one object a term). */
export function packTerms(terms: TermList): PackedTermsData {
  const ends = new Int32Array(terms.length);
  const parts: string[] = [];
  let at = 0;
  for (let i = 0; i < terms.length; i++) {
    const t = terms.at(i)!;
    parts.push(t);
    ends[i] = at += t.length;
  }
  return { text: parts.join(''), ends };
}

/** A term list over PackedTermsData: each term's string made the first time it is asked for, then kept. */
export class PackedTerms implements TermList {
  private readonly made: (string | undefined)[];

  constructor(private readonly data: PackedTermsData) {
    this.made = new Array<string | undefined>(data.ends.length);
  }

  get length(): number {
    return this.data.ends.length;
  }

  /** Term `index` (a term id: an integer from 0 to length - 1); undefined for any other index. */
  at(index: number): string | undefined {
    if (!(Number.isInteger(index) && index >= 0 && index < this.data.ends.length)) return undefined;
    let t = this.made[index];
    if (t === undefined) {
      const { text, ends } = this.data;
      t = this.made[index] = text.slice(index > 0 ? ends[index - 1] : 0, ends[index]);
    }
    return t;
  }
}
