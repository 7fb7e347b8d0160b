import { describeForeignWriterScenarios } from './foreign-writer-scenarios.js'

describeForeignWriterScenarios('sqlite')
