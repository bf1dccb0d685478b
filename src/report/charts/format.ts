/** Numbers as the charts and the page print them. */

/** A share as a percentage: 0.4567 -> "46 %", 0.003 -> "<1 %". */
export const percent = (x: number): string => (x > 0 && x < 0.005 ? '<1 %' : `${Math.round(x * 100)} %`);

/** A score to three decimals: 0.45678 -> "0.457". */
export const fixed3 = (x: number): string => x.toFixed(3);

/** A confidence threshold, in hundredths: 0.5 -> "0.50". */
export const fixed2 = (x: number): string => x.toFixed(2);
