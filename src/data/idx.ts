import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { SemiganError } from '../errors.js';
import { describeFsError } from '../util/fs.js';

/** An IDX array (LeCun's MNIST format): unsigned bytes with their dimensions. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

/**
 * Reads an IDX file, gzipped or raw. Every way the file can be wrong (missing, not gzip, wrong magic,
 * truncated, trailing bytes) is one SemiganError naming the file and the problem.
 */
export function readIdx(path: string, expectedDims: number): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new SemiganError(`cannot read ${path}: ${describeFsError(e)}`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new SemiganError(`${path} is a corrupt or truncated gzip file (${(e as Error).message})`);
    }
  }
  if (bytes.length < 4)
    throw new SemiganError(`${path} is too short to be an IDX file (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const type = (magic >> 8) & 0xff;
  const nDims = magic & 0xff;
  if (magic >>> 16 !== 0 || type !== UBYTE || nDims !== expectedDims) {
    throw new SemiganError(
      `${path} has magic number 0x${magic.toString(16).padStart(8, '0')}, expected 0x000008${expectedDims
        .toString(16)
        .padStart(2, '0')} (unsigned-byte IDX with ${expectedDims} dimension${expectedDims > 1 ? 's' : ''})`,
    );
  }
  const header = 4 + 4 * nDims;
  if (bytes.length < header) throw new SemiganError(`${path} is truncated inside its header`);
  const dims = Array.from({ length: nDims }, (_, i) => view.getUint32(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - header < size) {
    throw new SemiganError(
      `${path} is truncated: its header promises ${dims.join('×')} = ${size} bytes of data, the file has ${bytes.length - header}`,
    );
  }
  if (bytes.length - header > size) {
    throw new SemiganError(
      `${path} has ${bytes.length - header - size} bytes beyond the ${dims.join('×')} its header declares`,
    );
  }
  return { dims, data: bytes.subarray(header, header + size) };
}
