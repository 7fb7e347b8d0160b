import { resolve } from 'node:path'
import { Flags } from '@oclif/core'
import { reportModelOf, withReadTracker } from '@skill-metrics/migration'
import { BaseCommand } from '../base-command.js'
import { sourceFlags } from '../flags.js'

export default class Report extends BaseCommand<typeof Report> {
  static override summary =
    "The original tool's text report, unchanged; or, with --html, a page with charts."
  static override description =
    'With --html FILE: one self-contained HTML file (no network; it opens from disk, offline) with, per skill, invocations, completion rate, exact p50/p95/p99 durations and the error types of abandoned runs; invocations per day, completed and abandoned; the workflow paths and follow-up actions most used; and, once a migration was started, its phase timeline, validations, dual-write misses, dual-read mismatches, foreign writes, backups and archive. Built in one streaming pass over the legacy file (or from the database with --source db).'
  static override writesDatabase = false
  static override readsLegacyFile = true

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --source db',
    '<%= config.bin %> <%= command.id %> --html report.html',
  ]

  static override flags = {
    ...sourceFlags,
    html: Flags.string({
      summary: 'Write the report as one self-contained HTML page to this file.',
      helpValue: 'FILE',
    }),
  }

  async run(): Promise<void> {
    const { flags } = this
    if (flags.html !== undefined) return this.html(resolve(flags.html))
    const { result: report } = await withReadTracker(
      { jsonFile: this.jsonFile, db: this.database, source: flags.source },
      (tracker) => tracker.generateReport(),
    )
    if (this.jsonEnabled()) this.printJson({ report })
    else this.log(report)
  }

  async html(file: string): Promise<void> {
    const model = await reportModelOf({
      jsonFile: this.jsonFile,
      db: this.database,
      source: this.flags.source,
    })
    // The charting library loads here only, never at the CLI's start-up.
    const { writeHtmlReport } = await import('@skill-metrics/report-html')
    const { bytes } = await writeHtmlReport(model, file)
    const written = {
      file,
      bytes,
      source: model.source,
      skills: model.skills.length,
      days: model.perDay.length,
      migration: model.migration !== null,
    }
    if (this.jsonEnabled()) this.printJson(written)
    else
      this.log(
        `Wrote the HTML report of ${model.title} (${written.skills} skills, ${written.days} days${written.migration ? ', the migration panel' : ''}) to ${file} (${(bytes / 1024).toFixed(0)} KiB)`,
      )
  }
}
