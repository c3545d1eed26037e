/**
 * Issue 8, item 16: without a usable native binary (no matching prebuild and install scripts blocked),
 * loading qahan says what to run instead of node-gyp-build's raw "No native build was found".
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { QahanError } from '../../src/errors';
import { loadNativeAddon, NativeAddonError } from '../../src/native/addon';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qahan-adv-install-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function loadError(packageDir: string): Error & { code?: string; cause?: unknown } {
  try {
    loadNativeAddon(packageDir);
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected the load to fail');
}

test('no binary at all: says to run npm rebuild qahan or allow the install script, keeps the original as cause', () => {
  const pkg = path.join(dir, 'no-build');
  fs.mkdirSync(pkg);
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'qahan', version: '0.0.0' }));
  const e = loadError(pkg);
  expect(e.message).not.toMatch(/^No native build was found/);
  expect(e.message).toMatch(/npm rebuild qahan/);
  expect(e.message).toContain('"allowScripts": { "qahan": true }');
  expect(e.code).toBe('ERR_QAHAN_NATIVE_ADDON');
  expect(e).toBeInstanceOf(NativeAddonError);
  expect(e).toBeInstanceOf(QahanError);
  expect(e.name).toBe('NativeAddonError');
  expect(e.cause).toBeInstanceOf(Error);
  expect((e.cause as Error).message).toMatch(/No native build was found/);
});

test('a binary that cannot be loaded (not a shared object) says to rebuild', () => {
  const pkg = path.join(dir, 'broken-build');
  fs.mkdirSync(path.join(pkg, 'build', 'Release'), { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'qahan', version: '0.0.0' }));
  fs.writeFileSync(path.join(pkg, 'build', 'Release', 'qahan.node'), 'not a shared object');
  const e = loadError(pkg);
  expect(e.message).toMatch(/could not be loaded on this platform .*npm rebuild qahan/);
  // The dlopen error comes from Node's own realm: check its fields, not instanceof.
  expect((e.cause as { code?: string }).code).toBe('ERR_DLOPEN_FAILED');
});

test('the real addon still loads', () => {
  const native = loadNativeAddon(path.resolve(__dirname, '..', '..'));
  expect(typeof native.energies).toBe('function');
  expect(typeof native.info().version).toBe('string');
});
