/**
 * The package electron-builder makes, checked offline: the real config and `files` list, run
 * through electron-builder's own file selection into an unpacked Linux app ("dir" target), fuses
 * flipped. Only what needs the internet is replaced: the Electron binary by a stand-in that
 * carries Electron's fuse wire (with Electron's default states), and the native rebuild for
 * Electron's ABI is skipped (it downloads Electron's headers).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire, isBuiltin } from 'node:module';
import { REPO_DIR } from './built-app.ts';

const require = createRequire(import.meta.url);
type Config = Record<string, unknown> & {
  files: string[];
  asarUnpack: string[];
  electronFuses: Record<string, boolean>;
  linux: { target: string[] };
  win: { target: string[] };
  mac: { target: string[] };
};
const config = require(path.join(REPO_DIR, 'electron-builder.config.cjs')) as Config;
const pkg = JSON.parse(fs.readFileSync(path.join(REPO_DIR, 'package.json'), 'utf8')) as {
  main: string;
  productName: string;
  scripts: Record<string, string>;
};

describe('electron-builder config', () => {
  it('builds AppImage + deb, NSIS and dmg, with `npm run dist`', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(pkg.scripts.dist).toMatch(
      /electron-vite build && electron-builder --config electron-builder\.config\.cjs/,
    );
    expect(config.productName).toBe(pkg.productName);
  });

  it('sets the security fuses and rebuilds and unpacks the native modules', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
    });
    expect(config.asar).toBe(true);
    expect(config.npmRebuild).toBe(true);
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining(['node_modules/better-sqlite3/**', 'node_modules/@tensorflow/tfjs-node/**']),
    );
  });
});

/** Bare package names a built file imports (static, dynamic, require). */
function importedPackages(code: string): string[] {
  const names = new Set<string>();
  for (const m of code.matchAll(
    /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire2?\s*\(\s*)["']([^"'./][^"']*)["']/g,
  )) {
    const spec = m[1]!;
    if (!/^(@[\w.-]+\/)?[\w.-]+(\/[\w./-]+)?$/.test(spec)) continue; // a string in code, not a specifier
    if (isBuiltin(spec) || spec === 'electron') continue;
    const parts = spec.split('/');
    names.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
  }
  return [...names];
}

/**
 * A stand-in Electron executable: just the fuse wire (@electron/fuses' sentinel, wire version 1,
 * 8 fuses) with the states Electron ships: RunAsNode on, cookie encryption off, NODE_OPTIONS on,
 * --inspect on, ASAR integrity off, only-load-from-ASAR off, V8 snapshot off, file:// privileges on.
 */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
function standInElectronBinary(): Buffer {
  return Buffer.concat([
    Buffer.from('#!/bin/sh\n'),
    Buffer.from(FUSE_SENTINEL),
    Buffer.from([1, 8]),
    Buffer.from('10110001'),
  ]);
}

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(REPO_DIR, path.join(d.parentPath, d.name)).split(path.sep).join('/'));
}

describe('the packaged app (electron-builder, unpacked Linux target)', () => {
  let work: string;
  let inAsar: Set<string>;
  let unpackedDir: string;
  let executable: string;

  beforeAll(async () => {
    // The files list names out/: build it as `npm run dist` does.
    execFileSync(
      process.execPath,
      [
        path.join(REPO_DIR, 'node_modules/electron-vite/bin/electron-vite.js'),
        'build',
        '--logLevel',
        'error',
      ],
      {
        cwd: REPO_DIR,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    fs.mkdirSync(path.join(REPO_DIR, 'tmp'), { recursive: true });
    work = fs.mkdtempSync(path.join(REPO_DIR, 'tmp', 'package-'));
    // A stand-in for the Electron distribution electron-builder would download.
    const electronDist = path.join(work, 'electron-dist');
    fs.mkdirSync(path.join(electronDist, 'resources'), { recursive: true });
    fs.writeFileSync(path.join(electronDist, 'electron'), standInElectronBinary(), { mode: 0o755 });
    fs.writeFileSync(path.join(electronDist, 'version'), '38.8.6');
    const builder = (await import('electron-builder')) as typeof import('electron-builder');
    await builder.build({
      projectDir: REPO_DIR,
      targets: builder.Platform.LINUX.createTarget('dir', builder.Arch.x64),
      config: {
        ...(config as object),
        electronDist,
        electronVersion: '38.8.6',
        npmRebuild: false,
        directories: { output: path.join(work, 'dist') },
      },
    });
    const resources = path.join(work, 'dist', 'linux-unpacked', 'resources');
    const asar = (await import('@electron/asar')) as { listPackage(file: string, o?: object): string[] };
    inAsar = new Set(
      asar
        .listPackage(path.join(resources, 'app.asar'), {})
        .map((p) => p.replace(/\\/g, '/').replace(/^\//, '')),
    );
    unpackedDir = path.join(resources, 'app.asar.unpacked');
    executable = path.join(work, 'dist', 'linux-unpacked', 'auscult');
  }, 600_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('holds every built file the app loads: main, both workers, preload, renderer, package.json', () => {
    const built = [...filesUnder(path.join(REPO_DIR, 'out')), 'package.json'].filter(
      (f) => !f.endsWith('.map'),
    );
    expect(built).toEqual(
      expect.arrayContaining([
        'out/main/index.js',
        'out/main/job-worker.js',
        'out/main/extract-worker.js',
        'out/preload/index.cjs',
        'out/renderer/index.html',
      ]),
    );
    for (const f of built) expect(inAsar.has(f), f).toBe(true);
    expect(inAsar.has(pkg.main.replace(/^\.\//, ''))).toBe(true);
  });

  it('holds every package the bundles import, with its entry, and the TF.js wasm binaries', () => {
    const mainFiles = filesUnder(path.join(REPO_DIR, 'out', 'main')).filter((f) => f.endsWith('.js'));
    const packages = new Set(
      mainFiles.flatMap((f) => importedPackages(fs.readFileSync(path.join(REPO_DIR, f), 'utf8'))),
    );
    expect([...packages]).toEqual(
      expect.arrayContaining(['better-sqlite3', 'zod', '@tensorflow/tfjs', 'chokidar']),
    );
    for (const name of packages) {
      const installed = fs.existsSync(path.join(REPO_DIR, 'node_modules', name, 'package.json'));
      // tfjs-node is optional: packaged where it is installed (its install needs libtensorflow).
      if (!installed && name === '@tensorflow/tfjs-node') continue;
      expect(inAsar.has(`node_modules/${name}/package.json`), name).toBe(true);
      const entry = require.resolve(name, { paths: [REPO_DIR] });
      const rel = path.relative(REPO_DIR, entry).split(path.sep).join('/');
      expect(inAsar.has(rel), `${name}: ${rel}`).toBe(true);
    }
    expect(inAsar.has('node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')).toBe(true);
    expect(inAsar.has('node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')).toBe(
      true,
    );
  });

  it('flips the fuses in the packaged executable', async () => {
    const { getCurrentFuseWire, FuseV1Options } =
      (await import('@electron/fuses')) as typeof import('@electron/fuses');
    const wire = (await getCurrentFuseWire(executable)) as unknown as Record<number, number>;
    // A fuse is the byte '1' (on) or '0' (off).
    const state = (fuse: number) => (wire[fuse] === 0x31 ? 'on' : wire[fuse] === 0x30 ? 'off' : '?');
    expect({
      runAsNode: state(FuseV1Options.RunAsNode),
      cookieEncryption: state(FuseV1Options.EnableCookieEncryption),
      nodeOptions: state(FuseV1Options.EnableNodeOptionsEnvironmentVariable),
      inspect: state(FuseV1Options.EnableNodeCliInspectArguments),
      asarIntegrity: state(FuseV1Options.EnableEmbeddedAsarIntegrityValidation),
      onlyLoadAppFromAsar: state(FuseV1Options.OnlyLoadAppFromAsar),
      fileProtocolPrivileges: state(FuseV1Options.GrantFileProtocolExtraPrivileges),
    }).toEqual({
      runAsNode: 'off',
      cookieEncryption: 'on',
      nodeOptions: 'off',
      inspect: 'off',
      asarIntegrity: 'on',
      onlyLoadAppFromAsar: 'on',
      fileProtocolPrivileges: 'off',
    });
  });

  it('keeps the native SQLite binding outside the archive', () => {
    expect(
      fs.existsSync(path.join(unpackedDir, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node')),
    ).toBe(true);
    expect(fs.existsSync(path.join(unpackedDir, 'node_modules/better-sqlite3/deps'))).toBe(false);
  });

  it('holds nothing from the sources, tests, tooling or the renderer libraries it bundled', () => {
    const roots = new Set([...inAsar].map((p) => p.split('/')[0]));
    expect([...roots].sort()).toEqual(['node_modules', 'out', 'package.json']);
    for (const p of inAsar) expect(p, p).not.toMatch(/\.map$/);
    for (const name of [
      'tsx',
      'esbuild',
      'vue',
      'pinia',
      'wavesurfer.js',
      'electron',
      'electron-builder',
      'vitest',
      'typescript',
    ])
      expect(inAsar.has(`node_modules/${name}/package.json`), name).toBe(false);
  });
});
