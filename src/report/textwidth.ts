/**
 * Text widths for laying out the charts in Node, where there is no canvas to measure text:
 * Vega's own estimate (0.8 em a character) makes every title and label box half again too
 * wide, and the charts with them. These are DejaVu Sans's advance widths of the printable
 * ASCII characters, in thousandths of an em, as Chromium's canvas measured them
 * (measureText at 1000px); DejaVu Sans is the widest of the usual sans-serif fonts, so text
 * laid out with them fits in any of them. Other characters count as wide as an "n".
 */

/** DejaVu Sans, from " " (32) to "~" (126). */
const NORMAL = [
  318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337,
  337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732,
  684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635,
  635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
];

/** DejaVu Sans Bold, the same characters. */
const BOLD = [
  348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696, 696, 696, 696, 696, 696, 696, 696, 400,
  400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812,
  774, 1103, 771, 724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687, 716,
  716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
];

/** The width in pixels of `text` in DejaVu Sans at `fontSize` pixels, bold or not. */
export function textWidth(text: string, fontSize: number, bold = false): number {
  const table = bold ? BOLD : NORMAL;
  let units = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    units += code >= 32 && code <= 126 ? table[code - 32] : table[78]; // 'n' for the others
  }
  return (units * fontSize) / 1000;
}
