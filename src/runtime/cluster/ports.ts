/**
 * Ports and loopback addresses for a local cluster. A port counts as free when we can bind it
 * on the address the component will bind (so 5051 on 127.0.0.2 and on 127.0.0.3 are different
 * ports, and a server on 0.0.0.0 blocks both).
 */
import net from 'node:net'

/** Binds host:port (0 = any) and releases it; the bound port, or undefined when it is taken. */
function probe(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.once('error', () => resolve(undefined))
    server.listen({host, port, exclusive: true}, () => {
      const bound = (server.address() as net.AddressInfo).port
      server.close(() => resolve(bound))
    })
  })
}

export async function isPortFree(host: string, port: number): Promise<boolean> {
  return (await probe(host, port)) === port
}

/** A port the kernel hands out as free on `host`, other than any in `avoid`. */
export async function freePort(host: string, avoid: ReadonlySet<number> = new Set()): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await probe(host, 0)
    if (port !== undefined && !avoid.has(port)) return port
  }
  throw new Error(`cannot find a free port on ${host}`)
}

/** True when this host routes the whole 127/8 to loopback (Linux), so agents get their own IPs. */
export async function canBind(host: string): Promise<boolean> {
  return (await probe(host, 0)) !== undefined
}

export interface PortRequest {
  /** Who binds it, for the notice: "the master", "agent 2". */
  who: string
  host: string
  /** The port wanted; undefined picks any free one. */
  wanted?: number
}

/**
 * The wanted port of each request when it is free (and not given to an earlier request), else
 * a free one, with a notice saying so. Order is kept.
 */
export async function choosePorts(requests: PortRequest[], onNotice: (msg: string) => void = () => {}): Promise<number[]> {
  const chosen: number[] = []
  const given = new Set<number>()
  for (const r of requests) {
    let port: number
    if (r.wanted !== undefined && !given.has(r.wanted) && (await isPortFree(r.host, r.wanted))) port = r.wanted
    else {
      port = await freePort(r.host, given)
      if (r.wanted !== undefined) onNotice(`port ${r.wanted} is in use; ${r.who} uses ${port} instead`)
    }
    given.add(port)
    chosen.push(port)
  }
  return chosen
}
