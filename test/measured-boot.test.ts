// covers: open, read, lstat
// Measured boot through the real CLI: `occlum build` makes the protected image and the signed,
// measured config; `occlum run` and `occlum mount` refuse any change to them with one line, before
// a program runs; the measurement is reproducible; signing keys, image keys, print, status.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileProgram, PROGRAMS_DIR } from './helpers/libos.js';
import { occlum, ok, refused, tempWork } from './helpers/occlum-cli.js';
import { BLOCK_SIZE, decodeHeader, geometry } from '../src/image/format.js';

const MARKER = 'PLAINTEXT-MARKER-7f3a9c';
let t: ReturnType<typeof tempWork>;
let probe = '';
/** An instance built once, unencrypted, with /bin/imgprobe and /etc/greeting. */
let inst = '';

function imageFile(dir: string): string { return path.join(dir, 'build', 'mount', '__ROOT', 'image.bin'); }

/** A new instance `name` with imgprobe and the greeting (plus `files`), not built. */
async function makeInstance(name: string, files: Record<string, string> = {}): Promise<string> {
  ok(await occlum(['new', name], t.work, t.env()));
  const dir = path.join(t.work, name);
  fs.copyFileSync(probe, path.join(dir, 'image', 'bin', 'imgprobe'));
  fs.writeFileSync(path.join(dir, 'image', 'etc', 'greeting'), `hello ${MARKER}\n`);
  for (const [p, data] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, 'image', p)), { recursive: true });
    fs.writeFileSync(path.join(dir, 'image', p), data);
  }
  return dir;
}

async function mrenclave(dir: string, env = t.env()): Promise<string> {
  const out = ok(await occlum(['print', 'mrenclave'], dir, env)).trim();
  assert.match(out, /^[0-9a-f]{64}$/);
  return out;
}

before(async () => {
  probe = await compileProgram(path.join(PROGRAMS_DIR, 'image', 'imgprobe.c'));
  t = tempWork('occlum-measured-');
  inst = await makeInstance('base');
  ok(await occlum(['build'], inst, t.env()));
});

after(() => { if (t) fs.rmSync(t.work, { recursive: true, force: true }); });

test('an unmodified build boots and the program reads a file of the image', async () => {
  const r = await occlum(['run', '/bin/imgprobe', 'cat', '/etc/greeting'], inst, t.env());
  assert.equal(ok(r), `hello ${MARKER}\n`);
  assert.equal(r.stderr, '');
});

test('the root is the image under a writable layer: changes persist in run/, the image file never changes', async () => {
  const image = imageFile(inst);
  const before = crypto.createHash('sha256').update(fs.readFileSync(image)).digest('hex');
  for (const [op, p] of [['write', '/etc/greeting'], ['creat', '/etc/new'], ['mkdir', '/newdir'], ['symlink', '/etc/link'],
    ['rename', '/etc/greeting'], ['unlink', '/etc/new'], ['rmdir', '/newdir'], ['creat', '/tmp/x']]) {
    const r = await occlum(['run', '/bin/imgprobe', op!, p!], inst, t.env());
    assert.equal(r.stdout, 'ok\n', `${op} ${p}: ${r.stderr}`);
  }
  assert.equal(crypto.createHash('sha256').update(fs.readFileSync(image)).digest('hex'), before, 'the image is never written');
  // The next build starts from the image again (Occlum wipes run/ at build).
  ok(await occlum(['build'], inst, t.env()));
  const st = ok(await occlum(['run', '/bin/imgprobe', 'stat', '/etc/greeting'], inst, t.env()));
  // (Programs see the file type only: wasi-libc's stat has no permission bits; ImageFs's own
  // stat keeps them, image.test.ts.)
  assert.equal(st, `type=100000 size=${`hello ${MARKER}\n`.length} nlink=1 mtime=0\n`);
});

/** Flips one byte of `file` at `offset`, runs `check`, and restores the file. */
async function withFlippedByte(file: string, offset: number, check: () => Promise<void>): Promise<void> {
  const orig = fs.readFileSync(file);
  const bad = Buffer.from(orig);
  bad[offset]! ^= 0x01;
  fs.writeFileSync(file, bad);
  try {
    await check();
  } finally {
    fs.writeFileSync(file, orig);
  }
}

test('flipping any single byte of the image refuses the boot with one line', async () => {
  const file = imageFile(inst);
  const size = fs.statSync(file).size;
  const g = geometry(decodeHeader(fs.readFileSync(file).subarray(0, BLOCK_SIZE)));
  const offsets: Record<string, number> = {
    'header field': 24,
    'header padding': 2000,
    metadata: g.metaStart * BLOCK_SIZE + 7,
    'data (first block)': g.dataStart * BLOCK_SIZE + 1,
    'data (middle)': Math.floor((g.dataStart + g.treeStart) / 2) * BLOCK_SIZE + 123,
    'data (padding of the last block)': g.treeStart * BLOCK_SIZE - 1,
    'hash tree (a leaf)': g.treeStart * BLOCK_SIZE + 40,
    'hash tree (last byte)': size - 1,
  };
  for (const [what, off] of Object.entries(offsets)) {
    await withFlippedByte(file, off, async () => {
      const r = await occlum(['run', '/bin/imgprobe', 'cat', '/etc/greeting'], inst, t.env());
      const line = refused(r);
      assert.match(line, /^occlum: build\/mount\/__ROOT\/image\.bin is damaged or was modified \(.+\); run `occlum build -f` again$/, what);
      assert.equal(r.stdout, '', `${what}: no program output`);
    });
  }
  // One byte more or less is a change too.
  const orig = fs.readFileSync(file);
  try {
    fs.writeFileSync(file, Buffer.concat([orig, Buffer.from([0])]));
    assert.match(refused(await occlum(['run', '/bin/imgprobe', 'cat', '/etc/greeting'], inst, t.env())), /image\.bin is damaged/);
    fs.writeFileSync(file, orig.subarray(0, orig.length - 1));
    assert.match(refused(await occlum(['run', '/bin/imgprobe', 'cat', '/etc/greeting'], inst, t.env())), /image\.bin is damaged/);
  } finally {
    fs.writeFileSync(file, orig);
  }
  ok(await occlum(['run', '/bin/imgprobe', 'cat', '/etc/greeting'], inst, t.env()));
});

test('a changed signed config or signature is refused; so are print and mount', async () => {
  const prot = path.join(inst, 'build', '.Occlum_sys.json.protected');
  const text = fs.readFileSync(prot, 'utf8');
  const at = text.indexOf('"entry_points":["/bin"') + '"entry_points":["/'.length; // "/bin" -> "/bjn"
  await withFlippedByte(prot, at + 1, async () => {
    for (const args of [['run', '/bin/imgprobe', 'cat', '/etc/greeting'], ['print', 'mrenclave'], ['mount', path.join(t.work, 'm-bad')]]) {
      const line = refused(await occlum(args, inst, t.env()));
      assert.equal(line, 'occlum: build/.Occlum_sys.json.protected: the signature does not verify (the config or build/.Occlum_sys.json.sig was modified); run `occlum build` again');
    }
  });
  const sigFile = path.join(inst, 'build', '.Occlum_sys.json.sig');
  const sigText = fs.readFileSync(sigFile, 'utf8');
  const sig = JSON.parse(sigText) as { signature: string };
  const raw = Buffer.from(sig.signature, 'base64');
  raw[raw.length >> 1]! ^= 0x80;
  fs.writeFileSync(sigFile, JSON.stringify({ ...sig, signature: raw.toString('base64') }));
  try {
    assert.match(refused(await occlum(['run', '/bin/imgprobe', 'cat', '/etc/greeting'], inst, t.env())), /signature does not verify/);
  } finally {
    fs.writeFileSync(sigFile, sigText);
  }
  ok(await occlum(['run', '/bin/imgprobe', 'cat', '/etc/greeting'], inst, t.env()));
});

test('a config changed and re-signed with another key boots, but with another mrenclave and mrsigner (as in SGX)', async () => {
  const dir = await makeInstance('resigned');
  ok(await occlum(['build'], dir, t.env()));
  const [m0, s0] = [await mrenclave(dir), ok(await occlum(['print', 'mrsigner'], dir, t.env())).trim()];
  const prot = path.join(dir, 'build', '.Occlum_sys.json.protected');
  const changed = fs.readFileSync(prot, 'utf8').replace('"OCCLUM=yes"', '"OCCLUM=yes","INJECTED=1"');
  fs.writeFileSync(prot, changed);
  const { privateKey } = crypto.generateKeyPairSync('ed25519');
  const sig = { format: 'occlum-ts/signature/1', public_key: crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
    signature: crypto.sign(null, Buffer.from(changed), privateKey).toString('base64') };
  fs.writeFileSync(path.join(dir, 'build', '.Occlum_sys.json.sig'), JSON.stringify(sig));
  assert.notEqual(await mrenclave(dir), m0);
  assert.notEqual(ok(await occlum(['print', 'mrsigner'], dir, t.env())).trim(), s0);
  // Whoever relies on the instance checks these two values (attestation); occlum mount --sign-key does.
  ok(await occlum(['run', '/bin/imgprobe', 'cat', '/etc/greeting'], dir, t.env()));
});

test('the same image/ gives the same image and mrenclave, whatever the file times, creation order or instance dir', async () => {
  const files = { '/data/a.txt': 'alpha\n', '/data/b.txt': 'beta\n', '/data/sub/c.txt': 'gamma\n' };
  const one = await makeInstance('det-one', files);
  const reversed = Object.fromEntries(Object.entries(files).reverse());
  const two = await makeInstance('det-two', reversed);
  fs.symlinkSync('a.txt', path.join(one, 'image', 'data', 'link'));
  fs.symlinkSync('a.txt', path.join(two, 'image', 'data', 'link'));
  const old = new Date('2001-02-03T04:05:06Z');
  for (const p of Object.keys(files)) fs.utimesSync(path.join(two, 'image', p), old, old);
  ok(await occlum(['build'], one, t.env()));
  ok(await occlum(['build'], two, t.env()));
  assert.equal(await mrenclave(one), await mrenclave(two));
  assert.ok(fs.readFileSync(imageFile(one)).equals(fs.readFileSync(imageFile(two))), 'byte-identical images');

  fs.writeFileSync(path.join(two, 'image', 'data', 'b.txt'), 'BETA\n');
  ok(await occlum(['build'], two, t.env()));
  assert.notEqual(await mrenclave(one), await mrenclave(two), 'different content, different mrenclave');
  fs.writeFileSync(path.join(two, 'image', 'data', 'b.txt'), 'beta\n');
  fs.chmodSync(path.join(two, 'image', 'data', 'b.txt'), 0o600);
  ok(await occlum(['build'], two, t.env()));
  assert.notEqual(await mrenclave(one), await mrenclave(two), 'different permission bits, different mrenclave');
});

test('incremental build: only the changed file is read and hashed; the result equals a full build', async () => {
  const dir = await makeInstance('incr', { '/data/keep.txt': 'same\n', '/data/change.txt': 'v1\n' });
  const first = ok(await occlum(['build'], dir, t.env()));
  const total = Number(/image: (\d+) files/.exec(first)![1]);
  assert.match(first, new RegExp(`${total} hashed, 0 unchanged`));
  assert.match(ok(await occlum(['build'], dir, t.env())), new RegExp(`0 hashed, ${total} unchanged`));
  fs.writeFileSync(path.join(dir, 'image', 'data', 'change.txt'), 'v2\n');
  assert.match(ok(await occlum(['build'], dir, t.env())), new RegExp(`1 hashed, ${total - 1} unchanged`));
  const incremental = fs.readFileSync(imageFile(dir));
  const m = await mrenclave(dir);
  assert.match(ok(await occlum(['build', '-f'], dir, t.env())), new RegExp(`${total} hashed, 0 unchanged`));
  assert.ok(fs.readFileSync(imageFile(dir)).equals(incremental), 'the incremental image equals the full one');
  assert.equal(await mrenclave(dir), m);
});

function mrsignerOfRsa(key: crypto.KeyObject): string {
  const n = Buffer.from(crypto.createPublicKey(key).export({ format: 'jwk' }).n!, 'base64url');
  return crypto.createHash('sha256').update(n.reverse()).digest('hex');
}

test('--sign-key: mrsigner is the key\'s hash (RSA: modulus little-endian); mrenclave does not depend on the signer', async () => {
  const dir = await makeInstance('signed');
  ok(await occlum(['build'], dir, t.env()));
  const defaultSigner = ok(await occlum(['print', 'mrsigner'], dir, t.env())).trim();
  const defaultKey = crypto.createPrivateKey(fs.readFileSync(path.join(t.work, 'home', '.occlum-ts', 'sign-key.pem')));
  assert.equal(defaultSigner, mrsignerOfRsa(defaultKey));
  assert.equal(fs.statSync(path.join(t.work, 'home', '.occlum-ts', 'sign-key.pem')).mode & 0o777, 0o600);
  const m = await mrenclave(dir);

  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 });
  const pem = path.join(t.work, 'rsa.pem');
  fs.writeFileSync(pem, privateKey.export({ type: 'pkcs1', format: 'pem' }));
  ok(await occlum(['build', '--sign-key', pem], dir, t.env()));
  const rsaSigner = ok(await occlum(['print', 'mrsigner'], dir, t.env())).trim();
  assert.equal(rsaSigner, mrsignerOfRsa(privateKey));
  assert.notEqual(rsaSigner, defaultSigner);
  assert.equal(await mrenclave(dir), m);

  const ed = crypto.generateKeyPairSync('ed25519').privateKey;
  const edPem = path.join(t.work, 'ed.pem');
  fs.writeFileSync(edPem, ed.export({ type: 'pkcs8', format: 'pem' }));
  ok(await occlum(['build', '--sign-key', edPem], dir, t.env()));
  const edSpki = crypto.createPublicKey(ed).export({ type: 'spki', format: 'der' });
  assert.equal(ok(await occlum(['print', 'mrsigner'], dir, t.env())).trim(), crypto.createHash('sha256').update(edSpki).digest('hex'));
  ok(await occlum(['run', '/bin/imgprobe', 'cat', '/etc/greeting'], dir, t.env()));

  // mount --sign-key checks the signer.
  assert.match(refused(await occlum(['mount', '--sign-key', pem, path.join(t.work, 'm-signer')], dir, t.env())), /signed by another key than --sign-key/);
  const notPem = path.join(t.work, 'not.pem');
  fs.writeFileSync(notPem, 'hello\n');
  assert.match(refused(await occlum(['build', '--sign-key', notPem], dir, t.env())), /is not a PEM private key/);
});

test('encrypted image: no plaintext in build/, the key from OCCLUM_IMAGE_KEY_FILE or built in; wrong or missing key refused', async () => {
  const dir = await makeInstance('enc');
  const key = path.join(t.work, 'image.key');
  ok(await occlum(['gen-image-key', key], t.work, t.env()));
  assert.match(fs.readFileSync(key, 'utf8'), /^[0-9a-f]{2}(-[0-9a-f]{2}){15}\n$/);
  assert.equal(fs.statSync(key).mode & 0o777, 0o600);
  const other = path.join(t.work, 'other.key');
  ok(await occlum(['gen-image-key', other], t.work, t.env()));
  assert.notEqual(fs.readFileSync(other, 'utf8'), fs.readFileSync(key, 'utf8'));

  ok(await occlum(['build', '--image-key', key], dir, t.env()));
  const grep = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(d, e.name);
    if (e.isDirectory()) return grep(p);
    const bytes = fs.readFileSync(p);
    return bytes.includes(MARKER) || bytes.includes('imgprobe') ? [p] : [];
  });
  // Only the build host's own files name the image's files: the caches and the readable config
  // (run needs none of them; they hold paths and sizes, never contents).
  const hostOnly = ['.Occlum_sys.json', '.image_cache.json', '.check_cache.json'];
  assert.deepEqual(grep(path.join(dir, 'build')).filter((p) => !hostOnly.includes(path.basename(p))), []);
  for (const f of hostOnly) assert.ok(!fs.readFileSync(path.join(dir, 'build', f)).includes(MARKER), f);
  assert.ok(!fs.readFileSync(imageFile(dir)).includes(MARKER), 'the image holds no plaintext');
  assert.ok(!fs.existsSync(path.join(dir, 'build', 'image_key.sealed')));

  assert.equal(refused(await occlum(['run', '/bin/imgprobe', 'cat', '/etc/greeting'], dir, t.env())),
    'occlum: build/mount/__ROOT/image.bin is encrypted and no image key was given; give its key with OCCLUM_IMAGE_KEY_FILE=<key file>, or build with --buildin-image-key');
  const wrong = refused(await occlum(['run', '/bin/imgprobe', 'cat', '/etc/greeting'], dir, t.env({ OCCLUM_IMAGE_KEY_FILE: other })));
  assert.match(wrong, /^occlum: the image key from OCCLUM_IMAGE_KEY_FILE=.*other\.key does not open build\/mount\/__ROOT\/image\.bin .*OCCLUM_IMAGE_KEY_FILE=<key file>, or build with --buildin-image-key$/);
  assert.match(refused(await occlum(['run', '/bin/imgprobe', 'cat', '/etc/greeting'], dir, t.env({ OCCLUM_IMAGE_KEY_FILE: path.join(t.work, 'nope') }))), /cannot read the image key/);
  assert.equal(ok(await occlum(['run', '/bin/imgprobe', 'cat', '/etc/greeting'], dir, t.env({ OCCLUM_IMAGE_KEY_FILE: key }))), `hello ${MARKER}\n`);

  // Reproducible with the same key; another key is another measurement.
  const m = await mrenclave(dir);
  ok(await occlum(['build', '-f', '--image-key', key], dir, t.env()));
  assert.equal(await mrenclave(dir), m);
  ok(await occlum(['build', '--image-key', other], dir, t.env()));
  assert.notEqual(await mrenclave(dir), m);

  // Built in: sealed with the platform sealing key, run needs no key.
  ok(await occlum(['build', '--image-key', key, '--buildin-image-key'], dir, t.env()));
  assert.ok(fs.existsSync(path.join(dir, 'build', 'image_key.sealed')));
  assert.ok(!fs.readFileSync(path.join(dir, 'build', 'image_key.sealed'), 'utf8').includes(fs.readFileSync(key, 'utf8').trim()));
  assert.equal(ok(await occlum(['run', '/bin/imgprobe', 'cat', '/etc/greeting'], dir, t.env())), `hello ${MARKER}\n`);
  // Another machine (sealing key) cannot unseal it.
  const elsewhere = t.env({ OCCLUM_TS_SEALING_KEY: path.join(t.work, 'other-machine.key') });
  assert.match(refused(await occlum(['run', '/bin/imgprobe', 'cat', '/etc/greeting'], dir, elsewhere)), /image_key\.sealed does not unseal on this machine/);
  assert.match(refused(await occlum(['build', '--buildin-image-key'], dir, t.env())), /--buildin-image-key needs --image-key/);
});

test('print, status and run need a build; a deleted build/ is not built', async () => {
  const dir = await makeInstance('unbuilt');
  assert.equal(refused(await occlum(['print', 'mrenclave'], dir, t.env())), 'occlum: the instance is not built; run `occlum build` first');
  assert.match(refused(await occlum(['print', 'mrsomething'], dir, t.env())), /print: unknown "mrsomething"/);
  ok(await occlum(['build'], dir, t.env()));
  assert.equal(ok(await occlum(['status'], dir, t.env())), 'built\n');
  fs.rmSync(path.join(dir, 'build'), { recursive: true });
  assert.equal(ok(await occlum(['status'], dir, t.env())), 'initialized\n');
  assert.equal(refused(await occlum(['run', '/bin/imgprobe', 'cat', '/etc/greeting'], dir, t.env())), 'occlum: the instance is not built; run `occlum build` first');
});

test('mount: verifies, then copies the root file system to a host directory', async () => {
  const out = path.join(t.work, 'mounted');
  const r = ok(await occlum(['mount', out], inst, t.env()));
  assert.match(r, /^Exported the verified file system \(mrenclave [0-9a-f]{64}\) to .*: \d+ files, \d+ directories/);
  assert.equal(fs.readFileSync(path.join(out, 'etc', 'greeting'), 'utf8'), `hello ${MARKER}\n`);
  assert.ok(fs.readFileSync(path.join(out, 'bin', 'imgprobe')).equals(fs.readFileSync(probe)));
  assert.equal(fs.statSync(path.join(out, 'etc', 'greeting')).mode & 0o222, 0, 'files lose their write bits');
  assert.match(refused(await occlum(['mount', out], inst, t.env())), /is not empty/);
  const file = imageFile(inst);
  await withFlippedByte(file, 4096 * 2 + 5, async () => {
    assert.match(refused(await occlum(['mount', path.join(t.work, 'mounted2')], inst, t.env())), /image\.bin is damaged or was modified/);
  });
});
