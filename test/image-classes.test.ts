import { describe, expect, it } from 'vitest';
import { labelsFromFolders } from '../web/src/image-classes.js';

describe("the images view's label-from-folders shortcut", () => {
  const folders = ['cat', 'dog', 'cat', '', 'cat', 'dog', 'bird', 'cat', 'dog', 'cat'];
  const classNames = ['cat', 'dog'];

  it('labels n images of each class, each from its own folder, and no other', () => {
    for (let trial = 0; trial < 20; trial++) {
      const labels = labelsFromFolders(folders, classNames, 2);
      expect(labels.length).toBe(folders.length);
      const chosen = [...labels.keys()].filter((i) => labels[i] >= 0);
      expect(chosen.filter((i) => labels[i] === 0)).toHaveLength(2);
      expect(chosen.filter((i) => labels[i] === 1)).toHaveLength(2);
      for (const i of chosen) expect(folders[i]).toBe(classNames[labels[i]]);
    }
  });

  it('takes a whole folder when it holds fewer than n, and leaves folders no class names alone', () => {
    const labels = labelsFromFolders(folders, classNames, 10);
    expect(Array.from(labels)).toEqual(folders.map((f) => classNames.indexOf(f)));
  });

  it('draws different images on different calls (a person would not always label the same ones)', () => {
    const draws = new Set(
      Array.from({ length: 30 }, () => Array.from(labelsFromFolders(folders, classNames, 1)).join()),
    );
    expect(draws.size).toBeGreaterThan(1);
  });
});
