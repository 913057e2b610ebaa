/** An image file the user gave, with its path inside what was dropped or chosen (folders included). */
export interface PickedFile {
  file: File;
  path: string;
}

const IMAGE_NAME = /\.(jpe?g|png|webp|gif|bmp|avif)$/i;
export const MAX_IMAGES = 5000;

/** Files of a drop: folders are walked (recursively), hidden files and non-images left out. */
export async function filesOfDrop(items: DataTransferItemList): Promise<PickedFile[]> {
  const out: PickedFile[] = [];
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.name.startsWith('.')) return;
    if (entry.isFile) {
      const file = await new Promise<File>((ok, fail) => (entry as FileSystemFileEntry).file(ok, fail));
      out.push({ file, path: entry.fullPath.replace(/^\//, '') });
      return;
    }
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries returns a directory in chunks: read until it returns none
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((ok, fail) => reader.readEntries(ok, fail));
      if (!batch.length) break;
      for (const e of batch) await walk(e);
    }
  };
  const entries = Array.from(items)
    .map((i) => i.webkitGetAsEntry())
    .filter((e): e is FileSystemEntry => !!e);
  for (const e of entries) await walk(e);
  return onlyImages(out);
}

/** Files of an <input type=file> (with webkitdirectory, paths include the folders). */
export function filesOfInput(list: FileList): PickedFile[] {
  return onlyImages(Array.from(list, (file) => ({ file, path: file.webkitRelativePath || file.name })));
}

function onlyImages(files: PickedFile[]): PickedFile[] {
  return files
    .filter((f) => f.file.type.startsWith('image/') || IMAGE_NAME.test(f.path))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The folder an image sits in ('' at the top level): a hint for class names, never a label by itself. */
export const folderOf = (path: string) => path.split('/').slice(-2, -1)[0] ?? '';

export interface DecodedImages {
  x: Float32Array;
  files: PickedFile[];
  skipped: { path: string; reason: string }[];
}

/**
 * Decodes images to size×size RGB rows in [−1, 1], centre-cropped as the CLI does (sharp's `cover`), so a
 * model trained here classifies files the same way `semigan predict` prepares them (up to resampling).
 */
export async function decodeImages(
  files: PickedFile[],
  size: number,
  onProgress: (done: number, total: number) => void,
): Promise<DecodedImages> {
  const canvas = new OffscreenCanvas(size, size);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  const rows: Float32Array[] = [];
  const kept: PickedFile[] = [];
  const skipped: DecodedImages['skipped'] = [];
  for (const [n, f] of files.entries()) {
    try {
      const bmp = await createImageBitmap(f.file);
      const side = Math.min(bmp.width, bmp.height);
      ctx.clearRect(0, 0, size, size);
      ctx.drawImage(bmp, (bmp.width - side) / 2, (bmp.height - side) / 2, side, side, 0, 0, size, size);
      bmp.close();
      const rgba = ctx.getImageData(0, 0, size, size).data;
      const row = new Float32Array(size * size * 3);
      for (let p = 0; p < size * size; p++)
        for (let c = 0; c < 3; c++) row[p * 3 + c] = rgba[p * 4 + c] / 127.5 - 1;
      rows.push(row);
      kept.push(f);
    } catch (e) {
      skipped.push({ path: f.path, reason: (e as Error).message || 'cannot be decoded' });
    }
    if (n % 25 === 0) onProgress(n + 1, files.length);
  }
  onProgress(files.length, files.length);
  const x = new Float32Array(rows.length * size * size * 3);
  rows.forEach((r, i) => x.set(r, i * r.length));
  return { x, files: kept, skipped };
}

/** Calls `load` with the images dropped on `drop` (folders walked) or chosen in one of `inputs`. */
export function onImagesPicked(
  drop: HTMLElement,
  inputs: HTMLInputElement[],
  load: (files: PickedFile[]) => unknown,
): void {
  drop.ondragover = (e) => (e.preventDefault(), drop.classList.add('over'));
  drop.ondragleave = () => drop.classList.remove('over');
  drop.ondrop = async (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer) await load(await filesOfDrop(e.dataTransfer.items));
  };
  for (const input of inputs) input.onchange = () => input.files && load(filesOfInput(input.files));
}
