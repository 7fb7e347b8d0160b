import { v5 as uuidV5 } from 'uuid'

/**
 * The project's fixed UUID namespace for invocation ids: uuid v5 of `skill-metrics.invocation` in
 * the DNS namespace. Never change it: every id already stored in a database derives from it.
 */
export const INVOCATION_ID_NAMESPACE = 'c4d7c03d-abd4-5044-8dd4-9649b97b2cb0'

/**
 * An invocation's id (ARCHITECTURE §4): uuid v5 of the JSON text
 * `[skill_name, invoked_at, workflow_path, occurrence]` as `JSON.stringify` prints it (no spaces,
 * nothing escaped beyond JSON's minimum), where `occurrence` counts the earlier
 * records of the file with the same three values. `null` and `""` paths give different ids.
 */
export function invocationId(
  skillName: string,
  invokedAt: string,
  workflowPath: string | null,
  occurrence: number,
): string {
  return uuidV5(
    JSON.stringify([skillName, invokedAt, workflowPath, occurrence]),
    INVOCATION_ID_NAMESPACE,
  )
}

/** Hands out ids in file order, counting occurrences of each (skill, time, path) triple. */
export class InvocationIdAssigner {
  readonly #seen = new Map<string, number>()

  next(invocation: {
    skill_name: string
    invoked_at: string
    workflow_path: string | null
  }): string {
    const key = JSON.stringify([
      invocation.skill_name,
      invocation.invoked_at,
      invocation.workflow_path,
    ])
    const occurrence = this.#seen.get(key) ?? 0
    this.#seen.set(key, occurrence + 1)
    return invocationId(
      invocation.skill_name,
      invocation.invoked_at,
      invocation.workflow_path,
      occurrence,
    )
  }
}
