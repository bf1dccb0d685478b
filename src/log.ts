/** Progress and notices go to stderr; stdout carries results only. */
export interface Log {
  (message: string): void;
}

export const stderrLog: Log = (message) => process.stderr.write(`bugcat: ${message}\n`);
export const silentLog: Log = () => {};
