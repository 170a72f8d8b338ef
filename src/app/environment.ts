import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** Path of the Electron binary if the `electron` package installed one, else undefined. */
export function electronBinaryPath(): string | undefined {
  try {
    const pkgDir = path.dirname(require.resolve('electron/package.json'));
    const pathFile = path.join(pkgDir, 'path.txt');
    if (!fs.existsSync(pathFile)) return undefined;
    const exe = path.join(pkgDir, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
    return fs.existsSync(exe) ? exe : undefined;
  } catch {
    return undefined;
  }
}

/** Version of an installed npm package, or undefined if it is not installed. */
export function packageVersion(name: string): string | undefined {
  try {
    const pkg = JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version?: string };
    return pkg.version;
  } catch {
    return undefined;
  }
}

/** A Chromium/Chrome executable for headless tests and PDF/screenshot work, if one is on this machine. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env.AUSCULT_CHROMIUM, env.CHROMIUM_PATH].filter((c): c is string => !!c);
  const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    for (const n of names) candidates.push(path.join(dir, n));
  }
  return candidates.find((c) => {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return fs.statSync(c).isFile();
    } catch {
      return false;
    }
  });
}
