import type { StreamProgress } from '../index.js';

/**
 * Progress of a long job on stderr (never stdout): reports done, rate and, when the input's
 * size is known, the time left. On a terminal one line is rewritten in place; elsewhere
 * (--progress into a log) a line is written every few seconds.
 */
export class Progress {
  private readonly started = performance.now();
  private last = this.started;
  private shown = false;

  constructor(
    private readonly bytes: StreamProgress,
    private readonly tty = Boolean(process.stderr.isTTY),
  ) {}

  /** Called as reports are done; shows a line at most every second (terminal) or 5 seconds. */
  update(done: number): void {
    const now = performance.now();
    if (now - this.last < (this.tty ? 1000 : 5000)) return;
    this.last = now;
    this.show(done, now);
  }

  /** The last line (always, when asked for with --progress off a terminal), and a line end on a terminal. */
  finish(done: number): void {
    if (!this.shown && this.tty) return;
    this.show(done, performance.now());
    if (this.tty) process.stderr.write('\n');
  }

  private show(done: number, now: number): void {
    const seconds = (now - this.started) / 1000;
    const rate = done / Math.max(seconds, 1e-3);
    const { bytesRead, bytesTotal } = this.bytes;
    let eta = '';
    if (bytesTotal && bytesRead > 0 && bytesRead < bytesTotal)
      eta = `, about ${Math.ceil((seconds * (bytesTotal - bytesRead)) / bytesRead)} s left`;
    const line = `bugcat: ${done.toLocaleString('en')} reports, ${Math.round(rate).toLocaleString('en')}/s${eta}`;
    process.stderr.write(this.tty ? `\r${line}\x1b[K` : `${line}\n`);
    this.shown = true;
  }
}
