import { z } from 'zod';

// The renderer runs under a Content-Security-Policy without 'unsafe-eval': zod must not probe
// `new Function` (its JIT), which CSP reports as an error on every start. Imported first (main.ts).
z.config({ jitless: true });
