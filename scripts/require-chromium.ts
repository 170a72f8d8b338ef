// Runs before the end-to-end tests: without a Chromium they cannot run, and a person should read
// one line that says how to get one, not a stack trace from inside a test.
import { findChromium } from '../src/app/environment.ts';

if (!findChromium()) {
  process.stderr.write(
    'End-to-end tests need Chromium: install it with `sudo apt-get install -y chromium` (Debian/Ubuntu) or set AUSCULT_CHROMIUM=/path/to/chrome.\n',
  );
  process.exit(1);
}
