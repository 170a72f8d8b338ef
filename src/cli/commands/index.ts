import type { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * Every CLI command module, in the order they appear in `auscult --help`, with the command names
 * each registers. Modules load lazily: `auscult info x.wav` must not pay for TensorFlow.js.
 */
const COMMAND_MODULES: { names: string[]; load: () => Promise<Register> }[] = [
  { names: ['doctor'], load: async () => (await import('./doctor.ts')).registerDoctor },
  { names: ['synth'], load: async () => (await import('./synth.ts')).registerSynth },
  { names: ['dcase'], load: async () => (await import('./dcase.ts')).registerDcase },
  { names: ['info'], load: async () => (await import('./info.ts')).registerInfo },
  { names: ['features'], load: async () => (await import('./features.ts')).registerFeatures },
  { names: ['train'], load: async () => (await import('./train.ts')).registerTrain },
  { names: ['embed'], load: async () => (await import('./embed.ts')).registerEmbed },
  {
    names: ['project', 'import', 'score', 'status', 'alarms', 'machines', 'thresholds', 'recordings', 'serve', 'demo'],
    load: async () => (await import('./app-commands.ts')).registerAppCommands,
  },
];

/** The command word of `argv` (node, script, then options and arguments), if any. */
function commandWord(argv: string[]): string | undefined {
  return argv.slice(2).find((a) => !a.startsWith('-'));
}

/** Registers the module of the command being run, or every module (help, unknown commands). */
export async function registerCommands(program: Command, argv: string[] = []): Promise<void> {
  const word = commandWord(argv);
  const wanted = COMMAND_MODULES.filter((m) => word !== undefined && m.names.includes(word));
  for (const m of wanted.length ? wanted : COMMAND_MODULES) (await m.load())(program);
}
