import { readFileSync } from 'node:fs';
import { SemiganError } from '../errors.js';
import { describeFsError, writeFileAtomic } from '../util/fs.js';
import { sha256 } from '../util/sha256.js';

/**
 * One-file checkpoint: "SEMIGAN1", a u32 header length, a JSON header, then float32 blobs. The header holds
 * each blob's name, shape and offset and the sha256 of the blob section, so a truncated or tampered file is
 * refused instead of resuming from garbage.
 */
const MAGIC = 'SEMIGAN1';

export interface BlobIndex {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

export function encodeCheckpoint(
  meta: object,
  blobs: Map<string, { shape: number[]; data: Float32Array }>,
): Uint8Array {
  const index: BlobIndex[] = [];
  let offset = 0;
  for (const [name, { shape, data }] of blobs) {
    index.push({ name, shape, offset, length: data.length });
    offset += data.length;
  }
  const body = new Float32Array(offset);
  for (const entry of index) body.set(blobs.get(entry.name)!.data, entry.offset);
  const bodyBytes = new Uint8Array(body.buffer);
  const header = new TextEncoder().encode(JSON.stringify({ meta, index, bodySha256: sha256(bodyBytes) }));
  // pad the header so the float32 body starts 4-byte aligned
  const pad = (4 - ((MAGIC.length + 4 + header.length) % 4)) % 4;
  const out = new Uint8Array(MAGIC.length + 4 + header.length + pad + bodyBytes.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, header.length + pad, true);
  out.set(header, MAGIC.length + 4);
  out.fill(0x20, MAGIC.length + 4 + header.length, MAGIC.length + 4 + header.length + pad);
  out.set(bodyBytes, MAGIC.length + 4 + header.length + pad);
  return out;
}

export interface DecodedCheckpoint<M> {
  meta: M;
  blobs: Map<string, { shape: number[]; data: Float32Array }>;
}

export function decodeCheckpoint<M>(bytes: Uint8Array, path: string): DecodedCheckpoint<M> {
  const bad = (why: string) => new SemiganError(`checkpoint ${path} is unusable: ${why}`);
  if (
    bytes.length < MAGIC.length + 4 ||
    new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC
  ) {
    throw bad('not a semigan checkpoint');
  }
  const headerLen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(MAGIC.length, true);
  const bodyStart = MAGIC.length + 4 + headerLen;
  if (bodyStart > bytes.length) throw bad('truncated header');
  let header: { meta: M; index: BlobIndex[]; bodySha256: string };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, bodyStart)));
  } catch {
    throw bad('corrupt header');
  }
  // a real copy: Buffer#slice is a view into a pooled buffer, and Float32Array needs its own aligned one
  const bodyBytes = new Uint8Array(bytes.subarray(bodyStart));
  if (bodyBytes.length % 4 !== 0) throw bad('truncated data');
  if (sha256(bodyBytes) !== header.bodySha256)
    throw bad('data does not match its checksum (truncated or modified)');
  const body = new Float32Array(bodyBytes.buffer);
  const blobs = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const e of header.index) {
    if (e.offset + e.length > body.length) throw bad(`blob ${e.name} lies outside the data`);
    blobs.set(e.name, { shape: e.shape, data: body.subarray(e.offset, e.offset + e.length) });
  }
  return { meta: header.meta, blobs };
}

export function writeCheckpointFile(
  path: string,
  meta: object,
  blobs: Map<string, { shape: number[]; data: Float32Array }>,
): void {
  writeFileAtomic(path, encodeCheckpoint(meta, blobs));
}

export function readCheckpointFile<M>(path: string): DecodedCheckpoint<M> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new SemiganError(`cannot read checkpoint ${path}: ${describeFsError(e)}`);
  }
  return decodeCheckpoint<M>(bytes, path);
}
