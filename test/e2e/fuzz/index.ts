/**
 * The fuzzer of the e2e suite: a seeded generator of hostile requests, the registry of targets
 * (every write endpoint and the GET endpoints that take ids and paths), and a runner that judges
 * every answer. test/e2e/fuzz.test.ts drives it against a real cluster; later components add
 * their endpoints to `TARGETS` (./targets) and their base URLs to the context.
 */
export {Random, seedFromEnv} from './random'
export {generate, brokenAuthorization} from './generate'
export {TARGETS, USERS_TARGET, uidOf} from './targets'
export {FUZZ_GROUP, MARATHON_WITNESS_APP} from './targets-marathon'
export {runFuzz, describeFinding, summarize, type FuzzOptions, type FuzzReport, type Finding, type Outcome} from './runner'
export {rawCase, sendRaw} from './raw'
export {INJECTED} from './values'
export type {FuzzContext, FuzzRequest, FuzzTarget, Seed} from './target'
