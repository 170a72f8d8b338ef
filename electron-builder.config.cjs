// Packaging of the desktop app (`npm run dist`, on a machine with internet access: electron-builder
// downloads Electron, the native modules' Electron headers and the installer tools).
// Targets: Linux AppImage + deb, Windows NSIS, macOS dmg — each built on its own OS.
// CommonJS because electron-builder loads its config with require().

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'org.auscult.workstation',
  productName: 'Auscult',
  copyright: 'Auscult contributors',
  directories: { output: 'dist', buildResources: 'build' },
  // What the app loads: the built main process (with the job and feature-extraction workers),
  // preload and renderer, and package.json. Production dependencies are added by electron-builder
  // from node_modules; sources, tests, benchmarks and docs never go in.
  files: [
    'out/main/**/*',
    'out/preload/**/*',
    'out/renderer/**/*',
    'package.json',
    '!**/*.map',
    // Runtime dependencies the desktop app never loads: the renderer's libraries are bundled into
    // out/renderer, tsx/esbuild run the CLI from sources, and native sources are compiled already.
    '!node_modules/{vue,@vue,pinia,wavesurfer.js,tsx,esbuild,@esbuild,@types}/**',
    '!node_modules/better-sqlite3/{deps,src}/**',
    '!node_modules/better-sqlite3/build/Release/{obj,obj.target,test_extension.node}{,/**}',
    '!node_modules/better-sqlite3/build/Release/*.a',
  ],
  // Native modules are rebuilt for Electron's ABI (@electron/rebuild) and kept outside the asar
  // archive, where dlopen can reach them; tfjs-node is optional (its install needs libtensorflow).
  npmRebuild: true,
  asar: true,
  asarUnpack: ['node_modules/better-sqlite3/**', 'node_modules/@tensorflow/tfjs-node/**', '**/*.node'],
  // Electron fuses, flipped in the packaged binary (Electron's security checklist).
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  },
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Science',
    maintainer: 'Auscult contributors <auscult@example.org>',
    synopsis: 'Anomalous sound detection workstation for factory machines',
  },
  deb: { priority: 'optional' },
  win: { target: ['nsis'] },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
  mac: { target: ['dmg'], category: 'public.app-category.productivity', hardenedRuntime: true },
};
