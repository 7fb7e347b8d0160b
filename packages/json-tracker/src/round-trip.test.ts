import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FIXTURE_NAMES, fixturePath, fixtureText } from '@skill-metrics/testing/fixtures'
import { describe, expect, it } from 'vitest'
import { loadLegacyFile } from './json-tracker.js'
import { encodeLegacyFile } from './legacy-writer.js'

const withoutLastUpdated = (text: string) =>
  text.replace(/"last_updated": "[^"]*"/, '"last_updated": X')

describe('legacy file round trip', () => {
  it.each(FIXTURE_NAMES)(
    '%s.json is byte-identical after read and write, except last_updated',
    async (name) => {
      const document = await loadLegacyFile(fixturePath(name))
      document.last_updated = '2099-01-01T00:00:00'
      const written = encodeLegacyFile(document).toString('utf8')
      expect(withoutLastUpdated(written)).toBe(withoutLastUpdated(fixtureText(name)))
    },
  )

  it('keeps unknown top-level keys and numeric-looking keys in order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sm-rt-'))
    const file = join(dir, 'f.json')
    const text =
      '{\n  "invocations": [],\n  "skills": {\n    "b": {\n      "skill_name": "b",\n      "total_invocations": 0,\n      "completed_invocations": 0,\n      "abandoned_invocations": 0,\n      "total_duration_seconds": 0.0,\n      "workflow_paths": {\n        "z": 1,\n        "10": 2,\n        "2": 3\n      },\n      "common_errors": {},\n      "follow_up_actions": {},\n      "first_invoked": null,\n      "last_invoked": null,\n      "completion_rate": 0.0,\n      "avg_duration_seconds": 0.0\n    },\n    "1": {\n      "skill_name": "1",\n      "total_invocations": 0,\n      "completed_invocations": 0,\n      "abandoned_invocations": 0,\n      "total_duration_seconds": 1e-05,\n      "workflow_paths": {},\n      "common_errors": {},\n      "follow_up_actions": {},\n      "first_invoked": null,\n      "last_invoked": null,\n      "completion_rate": 0.0,\n      "avg_duration_seconds": 0.0\n    }\n  },\n  "last_updated": "2025-01-01T00:00:00",\n  "zeta": {\n    "9": [\n      1.5,\n      2,\n      "\\u00e9"\n    ],\n    "a": null\n  },\n  "1": true\n}'
    await writeFile(file, text)
    const document = await loadLegacyFile(file)
    expect(encodeLegacyFile(document).toString('utf8')).toBe(text)
  })
})
