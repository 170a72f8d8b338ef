/** Wall-clock time of the stages of a run, for "how long did each stage take" reports. */
export interface StageTime {
  stage: string;
  seconds: number;
}

export class StageTimer {
  private readonly times: StageTime[] = [];
  private readonly startedAt = performance.now();

  /** Run `fn` as stage `stage` (stages with the same name add up). */
  async time<T>(stage: string, fn: () => Promise<T> | T): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.add(stage, (performance.now() - t0) / 1000);
    }
  }

  add(stage: string, seconds: number): void {
    const known = this.times.find((t) => t.stage === stage);
    if (known) known.seconds += seconds;
    else this.times.push({ stage, seconds });
  }

  get stages(): StageTime[] {
    return this.times.map((t) => ({ ...t }));
  }

  /** Seconds since the timer was created. */
  get totalSeconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  /** "stage: 12.3 s (45 %)" lines, shares of the total wall time. */
  describe(): string[] {
    const total = this.totalSeconds;
    return this.times.map((t) => `${t.stage}: ${t.seconds.toFixed(1)} s (${((100 * t.seconds) / total).toFixed(0)} %)`);
  }
}
