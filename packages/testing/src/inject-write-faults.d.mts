export type WriteFault = 'short' | 'lie' | 'zero' | 'enospc' | 'eio'
/** Installs a fault on writes to files matching `path`; the returned function removes it and tells how many writes it hit. */
export function installWriteFault(spec: { path: string; fault: WriteFault }): () => number
