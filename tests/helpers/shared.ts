import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** `../shared` beside the repository (read-only): docs, golden vectors, real recordings. */
export const SHARED_DIR = path.resolve(REPO_DIR, '../shared');
export const GOLDEN_DIR = path.join(SHARED_DIR, 'golden');
export const REAL_DATA_DIR = path.join(SHARED_DIR, 'data', 'real');
