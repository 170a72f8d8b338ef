// Types of the dependency-free set-up script, for its tests.
export const OFFLINE_MESSAGE: string;
export function electronDownloadUrl(env?: NodeJS.ProcessEnv): string;
export function probeReachable(
  url: string,
  timeoutMs?: number,
): Promise<{ reachable: boolean; reason: string }>;
export function planInstall(opts: { reachable: boolean; ci: boolean }): {
  npmArgs: string[];
  env: Record<string, string>;
  fetchElectronAfter: boolean;
  message: string;
};
export function electronInstalled(root?: string): boolean;
