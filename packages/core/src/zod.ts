// The zod every package validates its inputs with (files, flags, URLs): `zod/mini`, the same
// validator giving the same issues as zod's classic `z`, as plain functions a bundler can leave
// out when unused. The classic `z` is one object holding every schema, check and method, so the
// CLI's bundle (apps/cli/scripts/bundle.mjs) kept all of zod with it, ~750 KB and ~100 ms of each
// start; the functions used here bundle to a tenth of that. Measured alone, a script bundling one
// object schema started in 289 ms with classic `z`, 204 ms with `zod/mini` (`node -e 0`: 164 ms),
// interleaved medians of 15. Import it as `import * as z from '@skill-metrics/core/zod'`: a
// namespace passed on as a value (`export { z }`, `export * as z`) would keep all of it again.
//
// The classic `z` sets English messages when its first schema is built; `zod/mini` has none
// unless asked, and `issue.message` reaches users: set them here, once for every package.
import { config } from 'zod/mini'
import en from 'zod/v4/locales/en.js'

config(en())

export * from 'zod/mini'
