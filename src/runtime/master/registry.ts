/**
 * The master's durable registry (Mesos `Registrar`): its own id and id counters, the agents it
 * admitted (with their checkpointed resources) and the frameworks it registered. Tasks are not
 * kept here: agents report them when they re-register, as with Mesos.
 */
import {randomUUID} from 'node:crypto'
import type {AgentInfo, FrameworkInfo, Resource} from '../../mesos/types'
import {Store} from '../store'

export interface AgentRecord {
  id: string
  info: AgentInfo
  url: string
  version: string
  resources: Resource[]
  /** Seconds since the epoch. */
  registered_time: number
}

export interface FrameworkRecord {
  info: FrameworkInfo & {id: {value: string}}
  /** Seconds since the epoch. */
  registered_time: number
}

interface MetaRecord {
  id: string
  next_framework: number
  next_agent: number
  /** Offer ids below this may have been handed out already; a restart starts from here. */
  offer_floor: number
}

/** Offer ids are reserved in blocks so that only one offer in this many costs a write. */
const OFFER_ID_BLOCK = 1000

export class Registry {
  #store: Store
  #meta: MetaRecord
  #nextOffer: number

  private constructor(store: Store) {
    this.#store = store
    const meta = store.get<MetaRecord>('meta', 'master')
    this.#meta = meta ?? {id: randomUUID(), next_framework: 0, next_agent: 0, offer_floor: 0}
    this.#nextOffer = this.#meta.offer_floor
    if (!meta) void this.#saveMeta()
  }

  static open(dir: string): Registry {
    return new Registry(Store.open(dir))
  }

  get masterId(): string {
    return this.#meta.id
  }

  /** `<masterId>-0000`, `<masterId>-0001`, ... never reused. */
  nextFrameworkId(): string {
    const n = this.#meta.next_framework++
    void this.#saveMeta()
    return `${this.#meta.id}-${String(n).padStart(4, '0')}`
  }

  /** `<masterId>-S0`, `<masterId>-S1`, ... never reused. */
  nextAgentId(): string {
    const n = this.#meta.next_agent++
    void this.#saveMeta()
    return `${this.#meta.id}-S${n}`
  }

  /** `<masterId>-O<n>`, unique across restarts. */
  nextOfferId(): string {
    const n = this.#nextOffer++
    if (this.#nextOffer > this.#meta.offer_floor) {
      this.#meta.offer_floor += OFFER_ID_BLOCK
      void this.#saveMeta()
    }
    return `${this.#meta.id}-O${n}`
  }

  /**
   * Meta writes are not awaited by their callers: the record that uses the new id is written
   * after it in the same append-only log, so once that write is durable, so is this one.
   */
  #saveMeta(): Promise<void> {
    return this.#store.put('meta', 'master', this.#meta).catch(() => undefined)
  }

  agents(): AgentRecord[] {
    return this.#store.list<AgentRecord>('agents').map(([, v]) => v)
  }

  frameworks(): FrameworkRecord[] {
    return this.#store.list<FrameworkRecord>('frameworks').map(([, v]) => v)
  }

  putAgent(record: AgentRecord): Promise<void> {
    return this.#store.put('agents', record.id, record)
  }

  putFramework(record: FrameworkRecord): Promise<void> {
    return this.#store.put('frameworks', record.info.id.value, record)
  }

  deleteFramework(id: string): Promise<void> {
    return this.#store.delete('frameworks', id)
  }

  close(): Promise<void> {
    return this.#store.close()
  }
}
