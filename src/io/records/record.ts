/** One report as a record parser gives it: its id and text, or why it could not be read (its text is then empty). */
export interface ReportRecord {
  id: string;
  text: string;
  error?: string;
  /** The tracker's labels of the issue, where its format carries them (TOML, JSON exports): kept for multi-label use. */
  labels?: string[];
  /** The report's time, where a time field was asked for (an issue's `created_at`, say). */
  time?: string;
  /** Why the id is not the file's name (it was shared with another report's and made distinct), where it is not. */
  idWarning?: string;
}
