// PfsDisk on-disk layout: Intel SGX Protected FS (intel/linux-sgx sdk/protected_fs, "SGX-PFS"),
// node numbering and node formats (sworndisk-reference.md §2).
//
// Physical nodes of the data file (4 KiB each):
//   0            metadata node (plain part + encrypted part, see META_*)
//   1            MHT node 0 (the root)
//   2 .. 97      data nodes 0 .. 95 (attached to MHT 0)
//   98           MHT node 1
//   99 .. 194    data nodes 96 .. 191
//   …            MHT k is at 1 + 97k; data node d at d + 2 + floor(d / 96)
// MHT node plaintext: 96 {key 16 B, gmac 16 B} entries for its attached data nodes, then 32 for its
// child MHT nodes (children of k are 32k+1 … 32k+32; the parent of k > 0 is floor((k-1)/32)).
// Every node is AES-128-GCM with a fresh random key per write and an all-zero IV; the key and GMAC
// live in the parent (the root's in the metadata node's encrypted part).
//
// Block i of the PfsDisk is data node i, i.e. PFS file offset i·4096 + 3 KiB: the AtomicDisk
// PfsDisk mapping (nicexlab/AtomicDisk core/src/pfs_disk), so that blocks line up with data nodes.
// The 3 KiB of user data inlined in the metadata node is therefore present but always zero.

export const NODE_SIZE = 4096;
export const ATTACHED_DATA_NODES = 96;
export const CHILD_MHT_NODES = 32;
export const ENTRY_SIZE = 32;
export const KEY_SIZE = 16;
export const GMAC_SIZE = 16;
/** User data bytes inlined in the metadata node (MD_USER_DATA_SIZE). */
export const MD_USER_DATA_SIZE = 3072;

export const dataPhys = (d: number): number => d + 2 + Math.floor(d / ATTACHED_DATA_NODES);
export const mhtPhys = (k: number): number => 1 + k * (ATTACHED_DATA_NODES + 1);
/** The MHT node a data node is attached to. */
export const mhtOfData = (d: number): number => Math.floor(d / ATTACHED_DATA_NODES);
export const mhtParent = (k: number): number => Math.floor((k - 1) / CHILD_MHT_NODES);
/** Offset of data node d's {key, gmac} entry inside its MHT node's plaintext. */
export const dataEntryOffset = (d: number): number => (d % ATTACHED_DATA_NODES) * ENTRY_SIZE;
/** Offset of MHT node k's (k > 0) entry inside its parent's plaintext. */
export const mhtEntryOffset = (k: number): number => (ATTACHED_DATA_NODES + ((k - 1) % CHILD_MHT_NODES)) * ENTRY_SIZE;

/** Depth of MHT node k (the root is 0). */
export function mhtDepth(k: number): number {
  let d = 0;
  for (; k > 0; k = mhtParent(k)) d++;
  return d;
}

/** Physical nodes needed for `ndata` data nodes: meta + MHT nodes + data nodes. */
export function physNodes(ndata: number): number {
  return ndata === 0 ? 2 : dataPhys(ndata - 1) + 1;
}

/** Depth of the deepest MHT node a disk of `ndata` data nodes may need. */
export function maxMhtDepth(ndata: number): number {
  return ndata === 0 ? 0 : mhtDepth(mhtOfData(ndata - 1));
}

// ---- metadata node (SGX metadata_node_t, packed) ----
// plain part (not encrypted; the key id is bound through the key derivation, the update flag is not
// authenticated at all, as in SGX):
export const META_FILE_ID = 0;            // u64 LE 0x5347585F46494C45 ("SGX_FILE")
export const META_MAJOR = 8;              // u8  1
export const META_MINOR = 9;              // u8  0
export const META_KEY_ID = 10;            // 32 B random, fresh per metadata write
export const META_CPU_SVN = 42;           // 16 B (zero: no SGX here)
export const META_ISV_SVN = 58;           // u16 (zero)
export const META_USE_USER_KDK = 60;      // u8  1: the key comes from the caller's sealing key
export const META_ATTR_MASK = 61;         // 16 B (zero)
export const META_GMAC = 77;              // 16 B GMAC of the encrypted part
export const META_UPDATE_FLAG = 93;       // u8  1 while an internal_flush is writing nodes in place
export const META_ENC = 94;               // encrypted part starts here
// encrypted part (SGX metadata_encrypted_t), offsets relative to META_ENC:
export const ENC_FILENAME = 0;            // clean_filename[260], NUL-padded
export const ENC_SIZE = 260;              // i64 file size in bytes (3 KiB inline + 4 KiB per data node)
export const ENC_CAPACITY = 268;          // u64 disk capacity in blocks (SGX: mc_uuid, unused here)
export const ENC_MC_VALUE = 284;          // u32 (zero; SGX's monotonic counter is gone since SDK 2.x)
export const ENC_MHT_KEY = 288;           // 16 B key of the root MHT node
export const ENC_MHT_GMAC = 304;          // 16 B GMAC of the root MHT node
export const ENC_DATA = 320;              // 3072 B inline user data (unused by PfsDisk: always zero)
export const ENC_PART_SIZE = ENC_DATA + MD_USER_DATA_SIZE; // 3392
export const FILENAME_MAX = 260;

export const SGX_FILE_ID = 0x5347585f46494c45n;
export const META_KEY_INFO = 'occlum-ts pfs: metadata key';

// ---- recovery file ----
// Block-granular version of SGX's `<file>_recovery` (records {u64 physical number, 4096 B node}):
// header block(s) [magic 8 B "PFSRECOV", count u32, 4 B zero, count × u64 LE physical numbers],
// then `count` node images, one per block, in header order. The content is the old *ciphertext*, so
// the file needs no protection of its own: what it restores is verified through the MHT on use.
export const RECOVERY_MAGIC = new TextEncoder().encode('PFSRECOV');
export const RECOVERY_HEADER = 16;

export function recoveryHeaderBlocks(count: number): number {
  return Math.ceil((RECOVERY_HEADER + 8 * count) / NODE_SIZE);
}

/**
 * Recovery records one internal_flush may need: every dirty cached node that already exists on
 * disk (the cache holds at most cacheSize + one path of maxDepth + 1 nodes when a flush starts),
 * plus the root and the metadata node.
 */
export function recoveryCapacity(cacheSize: number, ndata: number): number {
  return cacheSize + maxMhtDepth(ndata) + 4;
}

export function recoveryBlocks(cacheSize: number, ndata: number): number {
  const cap = recoveryCapacity(cacheSize, ndata);
  return recoveryHeaderBlocks(cap) + cap;
}
