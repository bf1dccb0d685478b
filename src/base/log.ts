/** Where progress and notices go: a callback the caller chooses (the command line's writes to stderr). */
export interface Log {
  (message: string): void;
}

export const silentLog: Log = () => {};
