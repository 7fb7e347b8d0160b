import { describeConcurrentTracks } from './track-concurrency.js'

describeConcurrentTracks(8, ' (the soak run has 8 × 20)')
