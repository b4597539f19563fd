// `occlum mount <dir>`: the boot verification of `occlum run`, then the root file system (the
// image and the writable layer, as programs see it) copied to a host directory (export.ts)
// instead of running a program.
import { loadSignKey, mrsignerOf, SigningKeyError } from '../../host/signing.js';
import { nodeHost } from '../../host/node.js';
import { CliError, type Instance } from '../instance.js';
import { exportTree, type ExportCounts } from './export.js';
import { verifyBuild } from './verify.js';
import { openRootFs } from '../boot.js';
import { autoKey } from '../sefs-layer.js';
import { nodeCrypto } from '../../host/node-crypto.js';
import type { FileSystem } from '../../kernel/fs/inode.js';

export interface MountOptions {
  env: Record<string, string | undefined>;
  /** Refuse unless the build was signed with this key. */
  signKey?: string;
  imageKey?: string;
}

export async function mountInstance(inst: Instance, dir: string, shown: string, opts: MountOptions): Promise<ExportCounts & { mrenclave: string }> {
  const verified = await verifyBuild(inst, nodeHost(), { env: opts.env, ...(opts.imageKey ? { imageKeyFile: opts.imageKey } : {}) });
  let root: FileSystem | undefined;
  try {
    if (opts.signKey !== undefined) {
      let signer: string;
      try {
        signer = mrsignerOf(loadSignKey(opts.signKey));
      } catch (e) {
        if (e instanceof SigningKeyError) throw new CliError(`mount: --sign-key: ${e.message}`);
        throw e;
      }
      if (signer !== verified.mrsigner) throw new CliError(`mount: the build was signed by another key than --sign-key ${opts.signKey} (mrsigner ${verified.mrsigner}); give the key it was built with`);
    }
    // The instance's root as programs see it: the image and the writable layer above it.
    root = await openRootFs(inst, verified.config, verified.image, autoKey(nodeCrypto, verified.mrsigner), () => {}, { readonly: true });
    return { ...(await exportTree(root, dir, shown)), mrenclave: verified.mrenclave };
  } finally {
    if (root) await root.unmount?.();
    else await verified.image.unmount();
  }
}
