import { cssColor } from '../../src/report/palette.js';

/** What a class chip reports back to the view. */
export interface ChipHandlers {
  rename(name: string): void;
  select(): void;
  remove(): void;
}

/** One class: its key, an editable name, its count of labeled images, and a button that removes it. */
export function classChip(
  name: string,
  c: number,
  o: { active: boolean; count: number },
  on: ChipHandlers,
): HTMLElement {
  const chip = document.createElement('span');
  chip.className = `chip${o.active ? ' active' : ''}`;
  chip.style.borderColor = cssColor(c);
  chip.innerHTML = `<b style="color:${cssColor(c)}">${c + 1}</b> <input aria-label="class ${c + 1} name"> <small>${o.count}</small> <button title="remove class">×</button>`;
  const input = chip.querySelector('input')!;
  input.value = name;
  input.onchange = () => on.rename(input.value.trim() || name);
  chip.onclick = (e) => {
    if (e.target !== input) on.select();
  };
  chip.querySelector('button')!.onclick = (e) => {
    e.stopPropagation();
    on.remove();
  };
  return chip;
}

/**
 * Labels for n random images of each class whose name a folder carries (−1 for the rest): a shortcut for
 * trying labeled folders. Math.random, not a run's Rng: which images a person labels is not part of a run.
 */
export function labelsFromFolders(folders: string[], classNames: string[], n: number) {
  const labels = new Int32Array(folders.length).fill(-1);
  classNames.forEach((name, c) => {
    const members = folders.flatMap((v, i) => (v === name ? [i] : []));
    for (let j = members.length - 1; j > 0; j--) {
      const k = Math.floor(Math.random() * (j + 1));
      [members[j], members[k]] = [members[k], members[j]];
    }
    for (const i of members.slice(0, n)) labels[i] = c;
  });
  return labels;
}
