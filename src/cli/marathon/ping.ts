/**
 * `marathon ping` (CORE marathon_ping.go): `count` pings of the leading Marathon in a row; the
 * first that fails ends it with the real CLI's words and why.
 */
import type {MarathonClient} from '../../clients/marathon'
import {DcosError} from '../errors'

export async function pingMarathon(marathon: MarathonClient, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    let answer: string
    try {
      answer = await marathon.ping()
    } catch (e) {
      // Authentication problems keep their own message and exit status.
      if (e instanceof DcosError && (e.code === 'AUTH_REQUIRED' || e.code === 'FORBIDDEN')) throw e
      const why = e instanceof DcosError ? e.detail : String(e)
      throw new DcosError('UNREACHABLE', `unable to ping leading Marathon master ${i} time(s): ${why}`, {
        hint: e instanceof DcosError ? e.hint : undefined,
      })
    }
    if (!/^"?pong"?$/i.test(answer)) {
      throw new DcosError('BAD_RESPONSE', `unable to ping leading Marathon master ${i} time(s): it answered '${answer.slice(0, 60)}' instead of pong`, {
        hint: 'Check marathon.url (or core.dcos_url).',
      })
    }
  }
}
