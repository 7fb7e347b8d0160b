// Preloaded with `node --import`: records every module URL the process resolves, for the test
// that the charting library loads only inside `report --html`.
import { register } from 'node:module'

register('./hooks.mjs', import.meta.url)
