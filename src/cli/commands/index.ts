import type { Command } from 'commander';
import { registerDoctor } from './doctor.ts';
import { registerSynth } from './synth.ts';
import { registerDcase } from './dcase.ts';
import { registerInfo } from './info.ts';
import { registerFeatures } from './features.ts';
import { registerTrain } from './train.ts';
import { registerEmbed } from './embed.ts';
import { registerAppCommands } from './app-commands.ts';

/** Every CLI command module, in the order they appear in `auscult --help`. */
export function registerCommands(program: Command): void {
  registerDoctor(program);
  registerSynth(program);
  registerDcase(program);
  registerInfo(program);
  registerFeatures(program);
  registerTrain(program);
  registerEmbed(program);
  registerAppCommands(program);
}
