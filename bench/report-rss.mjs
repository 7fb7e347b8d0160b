// Preloaded with `node --import` into a measured process: writes its peak resident set size to
// the file named by BENCH_RSS_FILE when it exits, whatever the process is.
import { writeFileSync } from 'node:fs'

const target = process.env.BENCH_RSS_FILE
if (target) {
  process.on('exit', () => writeFileSync(target, String(process.resourceUsage().maxRSS * 1024)))
}
