/** A progress bar on stderr when it is a terminal; nothing otherwise (logs and pipes stay clean). */
export async function progressBar(label: string): Promise<{
  /** `stage` names the part of the work the bar now counts (a pass, say). */
  update(done: number, total: number, records: number, stage?: string): void
  stop(): void
}> {
  if (!process.stderr.isTTY) return { update() {}, stop() {} }
  // Loaded on use: only a terminal draws a bar, and only two commands have one.
  const { default: cliProgress } = await import('cli-progress')
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label}{stage} {bar} {percentage}% | {records} records | {rate} rec/s | ETA {eta_formatted}`,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  )
  const started = Date.now()
  let running = false
  return {
    update(done, total, records, stage) {
      if (!running) {
        bar.start(Math.max(total, 1), 0, { records: 0, rate: 0, stage: '' })
        running = true
      }
      const seconds = Math.max((Date.now() - started) / 1000, 0.001)
      bar.update(done, {
        records: records.toLocaleString('en'),
        rate: Math.round(records / seconds).toLocaleString('en'),
        stage: stage === undefined ? '' : ` (${stage})`,
      })
    },
    stop() {
      if (running) bar.stop()
    },
  }
}
