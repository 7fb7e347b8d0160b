import { type Options, parseOptions, USAGE } from './options.js'
import { printReport, type SmokeReport } from './report.js'
import { SmokeRun } from './smoke-run.js'
import * as step from './steps.js'

export async function main(argv: string[]): Promise<number> {
  const parsed = parseOptions(argv)
  if ('error' in parsed) {
    process.stderr.write(`${parsed.error}\n${USAGE}\n`)
    return 2
  }
  const report = await runSmoke(parsed.options)
  await printReport(report, parsed.options.json)
  return report.ok ? 0 : 1
}

/**
 * The lifecycle through real CLI processes, one step per row of the report, in this order. The
 * steps that only `--foreign-writer` runs (the `data migrate` and `data validate` before each
 * cutover, the foreign writer's stop and the import of its last saves) do nothing without it, nor
 * does the `journal apply` after the writers stop without `--python-writers`.
 */
export async function runSmoke(options: Options): Promise<SmokeReport> {
  const run = await SmokeRun.start(options)
  try {
    await step.generate(run)
    if (run.diskFull !== undefined) await step.mountTmpfs(run, run.diskFull)
    await step.schemaMigrate(run)
    await step.phaseDualWrite(run)
    await step.writersStart(run)
    if (options.chaos) await step.databaseUnavailable(run)
    if (run.diskFull !== undefined && run.tmpfs !== undefined)
      await step.diskFull(run, run.tmpfs, run.diskFull)
    await step.dataMigrate(run)
    await step.dataMigrateAgain(run)
    await step.dataValidatePhaseDualRead(run)
    await step.beforeCutover(run, '')
    await step.cutover(run)
    await step.moreWrites(run)
    await step.rollback(run)
    await step.dataMigrateAfterRollback(run)
    await step.dataValidatePhaseDualReadAgain(run)
    await step.writersStop(run)
    await step.journalApply(run)
    await step.beforeCutover(run, ' again')
    await step.cutoverAgain(run)
    await step.foreignWriterStop(run)
    await step.dataMigrateForeignSaves(run)
    await step.cleanupForce(run)
  } catch (error) {
    run.harnessFailed(error)
  } finally {
    await run.cleanUp()
  }
  return run.report()
}
