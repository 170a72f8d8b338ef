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

/** Entry point: returns the process exit code instead of exiting, so tests can call it. */
export async function main(argv: string[]): Promise<number> {
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
