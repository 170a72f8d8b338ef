import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.ts';

/** Builds the `auscult` command tree. Each command module registers itself on the program. */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command('auscult')
    .description('Auscult — anomalous sound detection for factory machines')
    .showHelpAfterError()
    .exitOverride();
  await registerCommands(program, argv);
  return program;
}

/**
 * A closed stdout (`auscult status | head`) is not an error: the reader has what it wanted.
 * Without this, the next write throws EPIPE and Node prints a stack trace.
 */
let quietOnClosedOutput = false;
function exitQuietlyOnClosedOutput(): void {
  if (quietOnClosedOutput) return;
  quietOnClosedOutput = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      throw err;
    });
  }
}

/** Entry point: returns the process exit code instead of exiting, so tests can call it. */
export async function main(argv: string[]): Promise<number> {
  exitQuietlyOnClosedOutput();
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`auscult: ${msg}\n`);
    if (process.env.AUSCULT_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    return 1;
  }
}
