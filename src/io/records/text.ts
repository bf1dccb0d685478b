import type { ReportRecord } from './record.js';
import { stripScoreHeader } from './study.js';

/** A plain text file's content as its one report, named `id`; the study's leading `label: score` lines left out (see stripScoreHeader). */
export const textRecord = (content: string, id: string): ReportRecord => ({ id, text: stripScoreHeader(content).text });
