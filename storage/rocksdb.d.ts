/**
 * The part of @nxtedition/rocksdb (an abstract-level database; the package ships no types)
 * that storage/rocksStore.ts uses. Keys and values are utf8 strings throughout.
 */
declare module "@nxtedition/rocksdb" {
  export interface RocksOpenOptions {
    readonly createIfMissing?: boolean
    /** "level" enables memtableMemoryBudget; without it RocksDB keeps 64 MB memtables. */
    readonly compaction?: "level" | "universal"
    /** Bytes of memtables; each memtable is a quarter of it (only with `compaction`). */
    readonly memtableMemoryBudget?: number
  }

  export type RocksBatchOperation =
    | { readonly type: "put"; readonly key: string; readonly value: string }
    | { readonly type: "del"; readonly key: string }

  export interface RocksIteratorOptions {
    readonly gte?: string
    readonly lt?: string
    readonly keyEncoding: "utf8"
    readonly valueEncoding: "utf8"
  }

  export interface RocksIterator {
    /** Up to `size` entries; an empty array once the range is exhausted. */
    nextv(size: number): Promise<Array<[string, string]>>
    close(): Promise<void>
  }

  export class RocksLevel {
    constructor(location: string)
    open(options?: RocksOpenOptions): Promise<void>
    close(): Promise<void>
    /** `sync: true` makes RocksDB fsync the write-ahead log before the promise resolves. */
    batch(operations: ReadonlyArray<RocksBatchOperation>, options: { readonly sync: boolean }): Promise<void>
    getMany(
      keys: ReadonlyArray<string>,
      options: { readonly valueEncoding: "utf8" }
    ): Promise<Array<string | undefined>>
    iterator(options: RocksIteratorOptions): RocksIterator
  }
}
