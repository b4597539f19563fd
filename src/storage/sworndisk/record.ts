// The 48-byte index record: LBA -> (HBA, key, MAC), tagged with the epoch (sync id) that commits it.
//
//   0  u48  LBA
//   6  u48  HBA (block number inside the data area), or TOMBSTONE for a trimmed LBA
//  12  u32  epoch: the sync id of the flush that makes it durable (committed iff epoch <= syncId)
//  16  16 B AES-128-GCM key of the data block (fresh random per write)
//  32  16 B GCM tag (MAC) of the data block
//
// The same bytes appear in journal DATA records, memtable slots and table leaves; they are only
// ever stored encrypted (journal blocks and table nodes are AE-encrypted).
import { getU32, getU48 } from './codec.js';

export const RECORD_SIZE = 48;
export const TOMBSTONE = 0xffffffffffff;
export const KEYMAC_OFF = 16;

export const recLba = (b: Uint8Array, o: number): number => getU48(b, o);
export const recHba = (b: Uint8Array, o: number): number => getU48(b, o + 6);
export const recEpoch = (b: Uint8Array, o: number): number => getU32(b, o + 12);
