/**
 * One colour per class or series (matplotlib's tab10), shared by the PNG plots, the HTML report and the
 * playground so a class looks the same everywhere. Indices past the end wrap.
 */
export const CLASS_COLORS: [number, number, number][] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];

export const colorOf = (i: number): [number, number, number] => CLASS_COLORS[i % CLASS_COLORS.length];

/** The CSS form, e.g. `rgb(31,119,180)`. */
export const cssColor = (i: number): string => `rgb(${colorOf(i).join(',')})`;
