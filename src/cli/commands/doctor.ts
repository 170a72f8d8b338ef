import type { Command } from 'commander';
import { collectDoctorReport, formatDoctorReport } from '../../app/doctor.ts';

export { collectDoctorReport, type DoctorReport } from '../../app/doctor.ts';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('print versions, the active TensorFlow.js backend, the workspace path and Chromium')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { json?: boolean }) => {
      const r = await collectDoctorReport();
      process.stdout.write(opts.json ? JSON.stringify(r, null, 2) + '\n' : formatDoctorReport(r));
    });
}
