export {
  appendDurably,
  createFileIfMissing,
  type DurableWriteOptions,
  type FileFingerprint,
  fingerprintFile,
  fingerprintOf,
  type Payload,
  PRIVATE_FILE_MODE,
  writeFileDurably,
} from './durable-write.js'
export { modeForFilesBeside } from './file-mode.js'
export { type FreeSpace, type FreeSpaceReader, freeSpaceOf } from './free-space.js'
export { asWriteFailure } from './write-errors.js'
